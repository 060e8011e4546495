//! The options every command that sends a captured request again shares (`replay`,
//! `shrink`): the target, the key, extra headers and model names, checked into the library's
//! types with errors that name the flag.

use crate::capture::resend::Rewrite;
use crate::cli::SendArgs;
use crate::exit::Failure;
use crate::replay::Target;
use crate::replay::prepare::Auth;

/// `--target` as a base URL or the embedded gateway.
pub fn target(text: &str) -> Result<Target, Failure> {
    Target::parse(text).map_err(|why| {
        Failure::usage(why).with_hint(
            "give the gateway's base URL (what you would paste into Cursor) or `embedded`",
        )
    })
}

/// The key named by `--api-key-env`, read from the environment.
pub fn auth(args: &SendArgs) -> Result<Option<Auth>, Failure> {
    let Some(var) = &args.api_key_env else {
        return Ok(None);
    };
    Auth::from_env(var, args.auth_header.as_deref())
        .map(Some)
        .map_err(|err| {
            Failure::usage(err.to_string()).with_hint(format!(
                "export {var}=<the gateway's key> first; keys are never taken on the command line"
            ))
        })
}

/// What `--header`, `--header-env` and `--model-map` change on every request.
pub struct Changes {
    /// Everything, the values from the environment included.
    pub rewrite: Rewrite,
    /// The values that are secrets (read from the environment, never from the command line).
    pub secrets: Vec<String>,
    /// `(header, VAR)` of each --header-env.
    pub from_env: Vec<(String, String)>,
}

impl Changes {
    /// The rewrite without the headers whose values are secrets: what a script may spell out
    /// (it sends those from the environment instead, see `from_env`).
    pub fn for_script(&self) -> Rewrite {
        let mut rewrite = self.rewrite.clone();
        rewrite
            .headers
            .retain(|(name, _)| !self.from_env.iter().any(|(secret, _)| secret == name));
        rewrite
    }
}

/// `--header`, `--header-env` and `--model-map`, checked.
pub fn changes(args: &SendArgs) -> Result<Changes, Failure> {
    let mut rewrite = Rewrite::default();
    let mut secrets = Vec::new();
    let mut from_env = Vec::new();
    for header in &args.header {
        let Some((name, value)) = header.split_once(':') else {
            return Err(
                Failure::usage(format!("--header {header:?} is not `Name: value`"))
                    .with_hint("for example --header 'x-portkey-provider: openai'"),
            );
        };
        rewrite.headers.push((
            header_name("--header", name.trim())?,
            value.trim().to_owned(),
        ));
    }
    for pair in &args.header_env {
        let Some((name, var)) = pair.split_once('=') else {
            return Err(
                Failure::usage(format!("--header-env {pair:?} is not `Name=VAR`")).with_hint(
                    "for example --header-env 'x-portkey-virtual-key=PORTKEY_VIRTUAL_KEY'",
                ),
            );
        };
        let var = var.trim();
        if !crate::text::shell::is_name(var) {
            return Err(Failure::usage(format!(
                "--header-env {pair}: {var:?} is not an environment variable name"
            ))
            .with_hint("use letters, digits and '_', not starting with a digit"));
        }
        let value = std::env::var(var)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| {
                Failure::usage(format!(
                    "--header-env {pair}: the environment variable {var} is not set or empty"
                ))
                .with_hint(format!(
                    "export {var}=<value> first; secrets are never taken on the command line"
                ))
            })?;
        secrets.push(value.clone());
        let name = header_name("--header-env", name.trim())?;
        from_env.push((name.clone(), var.to_owned()));
        rewrite.headers.push((name, value));
    }
    for pair in &args.model_map {
        match pair.split_once('=') {
            Some((from, to)) if !from.trim().is_empty() && !to.trim().is_empty() => rewrite
                .models
                .push((from.trim().to_owned(), to.trim().to_owned())),
            _ => {
                return Err(
                    Failure::usage(format!("--model-map {pair:?} is not `from=to`"))
                        .with_hint("for example --model-map gpt-5.5=openai/gpt-5.5"),
                );
            }
        }
    }
    Ok(Changes {
        rewrite,
        secrets,
        from_env,
    })
}

fn header_name(flag: &str, name: &str) -> Result<String, Failure> {
    http::HeaderName::from_bytes(name.as_bytes())
        .map(|name| name.as_str().to_owned())
        .map_err(|_| Failure::usage(format!("{flag}: {name:?} is not a valid header name")))
}
