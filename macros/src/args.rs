//! The attribute's arguments: `#[evloop::test(crate = "path", start_paused)]`.
//!
//! Every accepted argument is one line in [`ARGUMENTS`], so the parser, the duplicate
//! check and the "unknown argument" message cannot disagree about what exists.

use proc_macro::{Ident, Span, TokenStream, TokenTree};

use crate::Kind;
use crate::error::Error;
use crate::tokens::{is_ident, is_punct, respan, source};

/// The parsed arguments; a field per entry in [`ARGUMENTS`].
pub(crate) struct Args {
    /// The path to the evloop crate, `::evloop` unless `crate = ...` says otherwise.
    pub(crate) krate: TokenStream,
    /// Whether the runtime starts with its clock paused (`start_paused`).
    pub(crate) start_paused: bool,
}

/// One argument the attributes accept.
struct Argument {
    /// What the user writes before `=`.
    name: &'static str,
    /// How to write it, for the "unknown argument" message.
    usage: &'static str,
    /// Stores the value in [`Args`], or says what is wrong with it.
    apply: fn(&mut Args, Value) -> Result<(), Error>,
}

/// Every argument, one line each. To add one, add a line here and a field to [`Args`].
const ARGUMENTS: &[Argument] = &[
    Argument {
        name: "crate",
        usage: "`crate = \"path\"`",
        apply: Args::set_crate,
    },
    Argument {
        name: "start_paused",
        usage: "`start_paused`",
        apply: Args::set_start_paused,
    },
];

/// What followed an argument's name, handed to [`Argument::apply`] so each argument
/// decides for itself which values it takes.
struct Value {
    /// The name, for errors about the value as a whole.
    name: Ident,
    /// The tokens after `=`, or `None` when the name stands alone (`crate`, not
    /// `crate = ...`).
    tokens: Option<Vec<TokenTree>>,
}

impl Args {
    /// Parses `name = value, name, ...`, reporting every problem.
    pub(crate) fn parse(kind: Kind, args: TokenStream, errors: &mut Vec<Error>) -> Args {
        let mut parsed = Args {
            krate: source("::evloop", Span::call_site()),
            start_paused: false,
        };
        let mut seen: Vec<&str> = Vec::new();
        for entry in split_on_commas(args) {
            let value = match Value::parse(entry) {
                Ok(value) => value,
                Err(error) => {
                    errors.push(error);
                    continue;
                }
            };
            let name = value.name.to_string();
            let Some(argument) = ARGUMENTS.iter().find(|argument| argument.name == name) else {
                let accepted: Vec<&str> = ARGUMENTS.iter().map(|argument| argument.usage).collect();
                errors.push(Error::new(
                    value.name.span(),
                    format!(
                        "unknown argument `{name}` to {}; the accepted arguments are: {}",
                        kind.name(),
                        accepted.join(", ")
                    ),
                ));
                continue;
            };
            if seen.contains(&argument.name) {
                errors.push(Error::new(
                    value.name.span(),
                    format!("`{name}` is given twice"),
                ));
                continue;
            }
            seen.push(argument.name);
            if let Err(error) = (argument.apply)(&mut parsed, value) {
                errors.push(error);
            }
        }
        parsed
    }

    /// `crate = "path"` or `crate = path`.
    fn set_crate(&mut self, value: Value) -> Result<(), Error> {
        let usage = "`crate` takes the path to the evloop crate, like `crate = \"my_evloop\"`";
        let Some(tokens) = value.tokens else {
            return Err(Error::new(value.name.span(), usage));
        };
        let path = match tokens.as_slice() {
            [TokenTree::Literal(literal)] => {
                let text = literal.to_string();
                let unquoted =
                    string_contents(&text).ok_or_else(|| Error::new(literal.span(), usage))?;
                let parsed = unquoted
                    .parse::<TokenStream>()
                    .map_err(|_| Error::new(literal.span(), usage))?;
                respan(parsed, literal.span())
            }
            _ => tokens.iter().cloned().collect(),
        };
        if !is_path(&path) {
            return Err(Error::covering(&tokens, usage));
        }
        self.krate = path;
        Ok(())
    }
}

impl Args {
    /// `start_paused`, `start_paused = true` or `start_paused = false`.
    fn set_start_paused(&mut self, value: Value) -> Result<(), Error> {
        self.start_paused = match value.tokens.as_deref() {
            None => true,
            Some([token]) if is_ident(token, "true") => true,
            Some([token]) if is_ident(token, "false") => false,
            Some(tokens) => {
                return Err(Error::covering(
                    tokens,
                    "`start_paused` takes `true` or `false`, or stands alone for `true`",
                ));
            }
        };
        Ok(())
    }
}

impl Value {
    /// `name` or `name = tokens`.
    fn parse(entry: Vec<TokenTree>) -> Result<Value, Error> {
        let [TokenTree::Ident(name), rest @ ..] = entry.as_slice() else {
            return Err(Error::covering(
                &entry,
                "expected an argument, like `crate = \"path\"`",
            ));
        };
        let name = name.clone();
        match rest {
            [] => Ok(Value { name, tokens: None }),
            [equals, value @ ..] if is_punct(equals, '=') => {
                if value.is_empty() {
                    return Err(Error::new(
                        equals.span(),
                        format!("expected a value after `{name} =`"),
                    ));
                }
                Ok(Value {
                    name,
                    tokens: Some(value.to_vec()),
                })
            }
            [other, ..] => Err(Error::new(
                other.span(),
                format!("expected `=` or `,` after `{name}`"),
            )),
        }
    }
}

/// Splits `a = 1, b, c = x::y` into its entries, dropping empty ones, so that a
/// trailing comma is accepted.
fn split_on_commas(tokens: TokenStream) -> Vec<Vec<TokenTree>> {
    let mut entries = vec![Vec::new()];
    for token in tokens {
        if is_punct(&token, ',') {
            entries.push(Vec::new());
        } else {
            entries
                .last_mut()
                .expect("starts with one entry")
                .push(token);
        }
    }
    entries.retain(|entry| !entry.is_empty());
    entries
}

/// The text inside a string literal's quotes: `"a"` and `r#"a"#` give `a`. `None` for
/// other literals, and for strings with escapes, which no path needs.
fn string_contents(literal: &str) -> Option<&str> {
    let raw = literal.strip_prefix('r').map(|rest| rest.trim_matches('#'));
    let quoted = raw.unwrap_or(literal);
    let inner = quoted.strip_prefix('"')?.strip_suffix('"')?;
    (raw.is_some() || !inner.contains('\\')).then_some(inner)
}

/// Whether `tokens` are a path: `a`, `a::b`, `::a::b`, ... Checked here because a bad
/// path would otherwise fail deep inside the generated code.
fn is_path(tokens: &TokenStream) -> bool {
    let is_colon = |token: &TokenTree| is_punct(token, ':');
    let tokens: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let segments = match tokens.as_slice() {
        [first, second, rest @ ..] if is_colon(first) && is_colon(second) => rest,
        all => all,
    };
    // `a : : b : : c` in chunks of three: `a::`, `b::`, then `c` alone.
    segments.len() % 3 == 1
        && segments.chunks(3).all(|chunk| match chunk {
            [TokenTree::Ident(_)] => true,
            [TokenTree::Ident(_), first, second] => is_colon(first) && is_colon(second),
            _ => false,
        })
}
