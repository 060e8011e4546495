//! A body that sends prepared events one frame at a time, optionally with a pause between them,
//! so a client sees a real stream rather than one write.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame};
use tokio::time::Sleep;

use crate::http::body::BoxError;

pub struct PacedBody {
    events: VecDeque<Bytes>,
    delay: Duration,
    pause: Option<Pin<Box<Sleep>>>,
    first: bool,
}

impl PacedBody {
    pub fn new(events: Vec<Bytes>, delay: Duration) -> PacedBody {
        PacedBody {
            events: events.into(),
            delay,
            pause: None,
            first: true,
        }
    }
}

impl Body for PacedBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        if !self.first && !self.delay.is_zero() && !self.events.is_empty() {
            let delay = self.delay;
            let pause = self
                .pause
                .get_or_insert_with(|| Box::pin(tokio::time::sleep(delay)));
            if pause.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.pause = None;
        }
        self.first = false;
        Poll::Ready(self.events.pop_front().map(|event| Ok(Frame::data(event))))
    }

    fn is_end_stream(&self) -> bool {
        self.events.is_empty()
    }
}
