//! The JSON a webhook is sent, by its `format`: the host's own (`json`: the event as
//! `GET /events` gives it, with the topic and the text), or the body Slack's incoming webhooks,
//! Discord's webhooks or Telegram's Bot API `sendMessage` take, holding the rendered text.

use serde_json::{json, Value};

use super::notice::Notice;
use crate::api::events::to_json;
use crate::events::Published;

/// Slack refuses a text past 40,000 characters.
const SLACK_MAX_CHARS: usize = 40_000;
/// Discord's limit for a message's `content`.
const DISCORD_MAX_CHARS: usize = 2_000;
/// Telegram's limit for a message's text.
const TELEGRAM_MAX_CHARS: usize = 4_096;

/// The shape of a webhook's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    /// `{"event", "text", "seq", "time_ms", "type", "data"}`: the topic, the text, and the
    /// event's line of `GET /events`.
    Json,
    /// `{"text"}`.
    Slack,
    /// `{"content"}`.
    Discord,
    /// `{"chat_id", "text"}`; the bot's token is in the URL.
    Telegram { chat_id: String },
}

impl Format {
    /// The word of the config.
    pub fn code(&self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Slack => "slack",
            Format::Discord => "discord",
            Format::Telegram { .. } => "telegram",
        }
    }

    /// The body for `notice` of `published`, its text already rendered.
    pub fn body(&self, notice: &Notice, text: &str, published: &Published) -> String {
        let body = match self {
            Format::Json => {
                let mut body = json!({"event": notice.topic.code(), "text": text});
                if let (Value::Object(body), Value::Object(event)) = (&mut body, to_json(published)) {
                    body.extend(event);
                }
                body
            }
            Format::Slack => json!({"text": truncate(text, SLACK_MAX_CHARS)}),
            Format::Discord => json!({"content": truncate(text, DISCORD_MAX_CHARS)}),
            Format::Telegram { chat_id } => json!({"chat_id": chat_id, "text": truncate(text, TELEGRAM_MAX_CHARS)}),
        };
        body.to_string()
    }
}

/// `text` cut to at most `max` characters, the last of them `…` when it was cut: a long venue
/// error still gets its message through instead of being refused.
fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some(_) => {
            let keep: String = text.chars().take(max.saturating_sub(1)).collect();
            keep + "…"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::notice::tests::{fill_event, published};
    use super::*;

    fn fill_body(format: &Format) -> Value {
        let published = published(fill_event());
        let notice = Notice::of(&published).unwrap();
        serde_json::from_str(&format.body(&notice, "grid bought", &published)).unwrap()
    }

    #[test]
    fn each_format_has_its_service_s_shape() {
        assert_eq!(fill_body(&Format::Slack), json!({"text": "grid bought"}));
        assert_eq!(fill_body(&Format::Discord), json!({"content": "grid bought"}));
        assert_eq!(
            fill_body(&Format::Telegram {
                chat_id: "-100123".into()
            }),
            json!({"chat_id": "-100123", "text": "grid bought"})
        );
        let own = fill_body(&Format::Json);
        assert_eq!(own["event"], "fill");
        assert_eq!(own["text"], "grid bought");
        assert_eq!(own["seq"], 7);
        assert_eq!(own["type"], "order");
        assert_eq!(own["data"]["strategy"], "grid");
        assert_eq!(own["data"]["fill"]["price"], "98450.50", "exact, as the book holds it");
    }

    #[test]
    fn a_long_text_is_cut_to_the_service_s_limit_on_a_character() {
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcd", 3), "ab…");
        let long = "é".repeat(5_000);
        let published = published(fill_event());
        let notice = Notice::of(&published).unwrap();
        let body: Value = serde_json::from_str(&Format::Discord.body(&notice, &long, &published)).unwrap();
        let content = body["content"].as_str().unwrap();
        assert_eq!(content.chars().count(), DISCORD_MAX_CHARS);
        assert!(content.ends_with('…'));
    }
}
