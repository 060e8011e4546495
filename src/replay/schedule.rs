//! When each request should start: as soon as possible, on the recorded schedule, or on the
//! recorded schedule sped up or slowed down.
//!
//! A request's latency is measured from its intended start, not from when the client got round
//! to sending it: a replayer that is behind (all connections busy) would otherwise wait out the
//! gateway's slowness and report only the fast part ("coordinated omission").

use std::str::FromStr;
use std::time::Duration;

/// How requests are paced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pace {
    /// Each request starts as soon as a concurrency slot is free (closed loop).
    Asap,
    /// Request starts keep the gaps recorded between them, divided by this factor (1 = original).
    Scaled(f64),
}

impl Pace {
    pub fn is_scheduled(self) -> bool {
        matches!(self, Pace::Scaled(_))
    }
}

impl std::fmt::Display for Pace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Pace::Asap => f.write_str("asap"),
            Pace::Scaled(k) if *k == 1.0 => f.write_str("original"),
            Pace::Scaled(k) => write!(f, "x{k}"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error(
    "--pace {0:?}: expected asap, original or x<K> with K a positive number (x2 is twice as fast)"
)]
pub struct PaceError(String);

impl FromStr for Pace {
    type Err = PaceError;

    fn from_str(text: &str) -> Result<Pace, PaceError> {
        match text {
            "asap" => Ok(Pace::Asap),
            "original" => Ok(Pace::Scaled(1.0)),
            _ => text
                .strip_prefix(['x', 'X'])
                .and_then(|k| k.parse::<f64>().ok())
                .filter(|k| k.is_finite() && *k > 0.0)
                .map(Pace::Scaled)
                .ok_or_else(|| PaceError(text.to_owned())),
        }
    }
}

/// A capture's `recorded_at`, parsed for the schedule.
pub fn recorded_time(text: &str) -> Result<jiff::Timestamp, String> {
    jiff::Timestamp::from_str(text).map_err(|err| {
        format!("recorded_at {text:?} is not an RFC 3339 time ({err}); --pace needs it")
    })
}

/// The intended start of each of `count` requests relative to the run start: `None` for all
/// under [`Pace::Asap`], otherwise the gaps between their recorded start `times` (one per
/// request) divided by the pace factor, from the earliest, with each gap between one start and
/// the next shortened to `max_gap` when it is longer (a session recorded over a lunch break
/// replays without the lunch).
pub fn offsets(
    times: &[jiff::Timestamp],
    pace: Pace,
    count: usize,
    max_gap: Option<Duration>,
) -> Vec<Option<Duration>> {
    let Pace::Scaled(factor) = pace else {
        return vec![None; count];
    };
    if times.is_empty() {
        return vec![None; count];
    }
    let mut order: Vec<usize> = (0..times.len()).collect();
    order.sort_by_key(|&i| times[i]);
    let mut out = vec![None; times.len()];
    let mut at = Duration::ZERO;
    let mut previous = times[order[0]];
    for i in order {
        let nanos = times[i].duration_since(previous).as_nanos().max(0) as f64;
        let mut gap = Duration::from_nanos((nanos / factor).round() as u64);
        if let Some(max) = max_gap {
            gap = gap.min(max);
        }
        at += gap;
        out[i] = Some(at);
        previous = times[i];
    }
    out
}

/// A duration as people write it: `90s`, `500ms`, `2m`, `1h30m`, `1.5s`, or a number of
/// seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("{text:?} is not a duration: write e.g. 5s, 500ms, 2m or 1h30m");
    let text = text.trim();
    if text.is_empty() {
        return Err(bad());
    }
    if let Ok(seconds) = text.parse::<f64>() {
        return Duration::try_from_secs_f64(seconds).map_err(|_| bad());
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let split = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let (number, tail) = rest.split_at(split);
        let number: f64 = number.parse().map_err(|_| bad())?;
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        let seconds = match unit {
            "ms" => number / 1000.0,
            "s" => number,
            "m" => number * 60.0,
            "h" => number * 3600.0,
            _ => return Err(bad()),
        };
        total += Duration::try_from_secs_f64(seconds).map_err(|_| bad())?;
        rest = tail;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paces_parse_and_bad_ones_are_named() {
        assert_eq!("asap".parse::<Pace>().unwrap(), Pace::Asap);
        assert_eq!("original".parse::<Pace>().unwrap(), Pace::Scaled(1.0));
        assert_eq!("x2".parse::<Pace>().unwrap(), Pace::Scaled(2.0));
        assert_eq!("x0.5".parse::<Pace>().unwrap(), Pace::Scaled(0.5));
        for bad in ["fast", "x0", "x-1", "xinf", "2"] {
            let err = bad.parse::<Pace>().unwrap_err().to_string();
            assert!(err.contains(bad), "{err}");
        }
        assert_eq!(Pace::Scaled(1.0).to_string(), "original");
        assert_eq!(Pace::Scaled(2.0).to_string(), "x2");
    }

    #[test]
    fn offsets_keep_the_recorded_gaps_scaled_from_the_earliest_start() {
        let times: Vec<jiff::Timestamp> = [
            "2026-11-26T10:00:01.500Z",
            "2026-11-26T10:00:00.000Z",
            "2026-11-26T10:00:03.000Z",
        ]
        .iter()
        .map(|t| recorded_time(t).unwrap())
        .collect();
        let ms = |pace| -> Vec<u128> {
            offsets(&times, pace, 3, None)
                .into_iter()
                .map(|o| o.unwrap().as_millis())
                .collect()
        };
        assert_eq!(ms(Pace::Scaled(1.0)), [1500, 0, 3000]);
        assert_eq!(ms(Pace::Scaled(2.0)), [750, 0, 1500]);
        assert_eq!(offsets(&times, Pace::Asap, 3, None), [None, None, None]);
        // Gaps longer than the cap are cut to it, one gap at a time.
        let capped: Vec<u128> = offsets(&times, Pace::Scaled(1.0), 3, Some(Duration::from_secs(1)))
            .into_iter()
            .map(|o| o.unwrap().as_millis())
            .collect();
        assert_eq!(capped, [1000, 0, 2000]);
        let err = recorded_time("yesterday").unwrap_err();
        assert!(err.contains("recorded_at \"yesterday\""), "{err}");
    }

    #[test]
    fn durations_read_as_people_write_them() {
        for (text, ms) in [
            ("5s", 5000),
            ("500ms", 500),
            ("2m", 120_000),
            ("1h30m", 5_400_000),
            ("1.5s", 1500),
            ("3", 3000),
        ] {
            assert_eq!(parse_duration(text).unwrap().as_millis(), ms, "{text}");
        }
        for bad in ["", "5 parsecs", "s", "-1s", "1d"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
