//! Linking each provider-leg exchange to the client-leg exchange that caused it, without
//! counting on the gateway to pass any header through: by what the two requests say (the last
//! user text, the tool-call ids, the tool names, the system text, the model) and by time (the
//! provider request starts while the client's is open). One client request may cause several
//! provider requests (retries, fan-out); every link carries a confidence and the reasons for it.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::conversation::{Conversation, Part, Role};

/// What a request is recognised by.
#[derive(Debug, Clone, Default)]
pub struct Fingerprint {
    pub last_user: Option<String>,
    pub call_ids: BTreeSet<String>,
    pub tool_names: BTreeSet<String>,
    pub system: Option<String>,
    pub model: Option<String>,
    /// Milliseconds since the epoch, when known.
    pub start: Option<i64>,
    pub end: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

/// Why two exchanges were linked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    pub confidence: Confidence,
    pub score: u32,
    pub reasons: Vec<String>,
    /// 1 for the first provider request a client request caused, 2 for a retry, …
    pub attempt: usize,
}

/// Whitespace collapsed, so a gateway that reflows text still matches.
pub fn normalized(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A model name without the gateway's provider prefix (`openai/gpt-5.5` is `gpt-5.5`).
fn bare_model(model: &str) -> &str {
    model.rsplit('/').next().unwrap_or(model)
}

impl Fingerprint {
    pub fn of(conversation: &Conversation, start: Option<i64>, end: Option<i64>) -> Fingerprint {
        let mut fingerprint = Fingerprint {
            system: Some(normalized(&conversation.system_text())).filter(|s| !s.is_empty()),
            model: conversation
                .model
                .as_deref()
                .map(|m| bare_model(m).to_owned()),
            start,
            end,
            ..Fingerprint::default()
        };
        for (role, part) in conversation.parts() {
            match &part.value {
                Part::Text { text } if role == Role::User => {
                    fingerprint.last_user = Some(normalized(text));
                }
                Part::ToolCall { id: Some(id), .. } | Part::ToolResult { id: Some(id), .. } => {
                    fingerprint.call_ids.insert(id.clone());
                }
                _ => {}
            }
        }
        fingerprint.tool_names = conversation
            .tools
            .iter()
            .map(|tool| tool.name.clone())
            .collect();
        fingerprint
    }
}

fn overlap(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

/// How well a provider request matches a client request, and why. `None` when it cannot be
/// theirs (it started before the client request, or long after it ended).
pub fn score(client: &Fingerprint, provider: &Fingerprint) -> Option<(u32, Vec<String>)> {
    let mut score = 0;
    let mut reasons = Vec::new();
    if let (Some(start), Some(end), Some(at)) = (client.start, client.end, provider.start) {
        // A gateway's clock and ours are one clock on loopback; a little slack for rounding.
        if at < start - 1_000 || at > end + 2_000 {
            return None;
        }
        score += 1;
        reasons.push("started while the client's request was open".to_owned());
    }
    if client.last_user.is_some() && client.last_user == provider.last_user {
        score += 4;
        reasons.push("same last user message".to_owned());
    } else if let (Some(client_text), Some(provider_text)) =
        (&client.last_user, &provider.last_user)
        && !client_text.is_empty()
        && provider_text.contains(client_text.as_str())
    {
        score += 3;
        reasons.push("the client's last user message is inside the provider's".to_owned());
    }
    let ids = overlap(&client.call_ids, &provider.call_ids);
    if ids > 0.0 {
        score += (3.0 * ids).ceil() as u32;
        reasons.push(format!("{:.0}% of tool-call ids shared", ids * 100.0));
    }
    let tools = overlap(&client.tool_names, &provider.tool_names);
    if tools > 0.0 {
        score += (2.0 * tools).ceil() as u32;
        reasons.push(format!("{:.0}% of tool names shared", tools * 100.0));
    }
    if let (Some(a), Some(b)) = (&client.system, &provider.system)
        && (a == b || b.contains(a.as_str()))
    {
        score += 2;
        reasons.push("same system prompt".to_owned());
    }
    if client.model.is_some() && client.model == provider.model {
        score += 1;
        reasons.push("same model".to_owned());
    }
    Some((score, reasons))
}

/// Link every provider exchange to its best client exchange. Returns, per provider exchange,
/// the client index and the link, or `None` when nothing matched.
pub fn correlate(clients: &[Fingerprint], providers: &[Fingerprint]) -> Vec<Option<(usize, Link)>> {
    let mut links: Vec<Option<(usize, Link)>> = providers
        .iter()
        .map(|provider| {
            let mut best: Option<(usize, u32, Vec<String>)> = None;
            for (index, client) in clients.iter().enumerate() {
                let Some((score, reasons)) = score(client, provider) else {
                    continue;
                };
                // Ties go to the client request that started last before the provider's.
                if best.as_ref().is_none_or(|(_, top, _)| score >= *top) && score > 1 {
                    best = Some((index, score, reasons));
                }
            }
            best.map(|(index, score, reasons)| {
                let confidence = match score {
                    7.. => Confidence::High,
                    4..=6 => Confidence::Medium,
                    _ => Confidence::Low,
                };
                (
                    index,
                    Link {
                        confidence,
                        score,
                        reasons,
                        attempt: 0,
                    },
                )
            })
        })
        .collect();
    // Number the attempts of each client request in the order its provider requests started.
    for client in 0..clients.len() {
        let mut mine: Vec<usize> = links
            .iter()
            .enumerate()
            .filter(|(_, link)| link.as_ref().is_some_and(|(c, _)| *c == client))
            .map(|(index, _)| index)
            .collect();
        mine.sort_by_key(|&index| (providers[index].start, index));
        for (attempt, index) in mine.into_iter().enumerate() {
            if let Some((_, link)) = &mut links[index] {
                link.attempt = attempt + 1;
            }
        }
    }
    links
}

#[cfg(test)]
mod tests {
    use super::*;

    fn print(user: &str, ids: &[&str], start: i64, end: i64) -> Fingerprint {
        Fingerprint {
            last_user: Some(normalized(user)),
            call_ids: ids.iter().map(|s| (*s).to_owned()).collect(),
            tool_names: ["read_file".to_owned()].into(),
            system: Some("be brief".to_owned()),
            model: Some("m".to_owned()),
            start: Some(start),
            end: Some(end),
        }
    }

    #[test]
    fn concurrent_requests_link_by_content_and_retries_are_numbered() {
        let clients = [
            print("read a.ts", &["c1"], 1_000, 5_000),
            print("read b.ts", &["c2"], 1_100, 5_100),
        ];
        let providers = [
            print("read b.ts", &["c2"], 1_200, 1_300),
            print("read a.ts", &["c1"], 1_250, 1_400),
            // The gateway retried b after its first attempt failed.
            print("read  b.ts", &["c2"], 2_000, 2_100),
            // Nobody asked for this one.
            print("something else", &["c9"], 9_000, 9_100),
        ];
        let links = correlate(&clients, &providers);
        let linked: Vec<Option<(usize, usize)>> = links
            .iter()
            .map(|link| link.as_ref().map(|(client, link)| (*client, link.attempt)))
            .collect();
        assert_eq!(linked, [Some((1, 1)), Some((0, 1)), Some((1, 2)), None]);
        assert_eq!(links[0].as_ref().unwrap().1.confidence, Confidence::High);
    }

    #[test]
    fn a_provider_request_outside_the_clients_time_is_never_its_own() {
        let client = print("read a.ts", &[], 5_000, 6_000);
        assert!(score(&client, &print("read a.ts", &[], 3_000, 3_100)).is_none());
        assert!(score(&client, &print("read a.ts", &[], 9_000, 9_100)).is_none());
        assert!(score(&client, &print("read a.ts", &[], 5_500, 5_600)).is_some());
        // A little slack either side for clocks that round.
        assert!(score(&client, &print("read a.ts", &[], 4_500, 4_600)).is_some());
    }
}
