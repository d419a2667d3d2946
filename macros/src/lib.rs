//! The `#[evloop::main]` and `#[evloop::test]` attributes.
//!
//! Use them through the `evloop` crate, which re-exports both. Each one turns an
//! `async fn` into a plain `fn` that creates a runtime and blocks on the original body:
//!
//! ```text
//! #[evloop::main]                   fn main() -> R {
//! async fn main() -> R {                let body = async move { BODY };
//!     BODY                  =>          let runtime = ::evloop::Runtime::new()
//! }                                         .expect("evloop: cannot create the runtime");
//!                                       runtime.block_on(body)
//!                                   }
//! ```
//!
//! `#[evloop::test]` does the same and puts `#[::core::prelude::v1::test]` in front.
//! That is all they do: the body stays the tokens you wrote, so errors in it point at
//! your code, `?` works with the declared return type, and `return` leaves the body.
//!
//! # Arguments
//!
//! - `crate = "path"` (or `crate = path`): where to find evloop, if you renamed it in
//!   `Cargo.toml`. The default is `::evloop`.
//!
//! # Errors
//!
//! Every problem becomes a `compile_error!` at the tokens that cause it, and all of them
//! are reported at once. The function itself is still emitted next to the errors, so
//! an IDE keeps resolving the names in it. A function without `async` is emitted
//! unchanged, so the only error is the one that says to add `async`.
//!
//! This crate uses only the compiler's `proc_macro` API: no `syn`, no `quote`. The
//! input is walked token by token in `Function::parse`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use proc_macro::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};

/// Runs an `async fn` to completion in a new evloop runtime.
///
/// ```text
/// #[evloop::main]
/// async fn main() -> std::io::Result<()> { BODY }
/// ```
///
/// becomes
///
/// ```text
/// fn main() -> std::io::Result<()> {
///     let body = async move { BODY };
///     let runtime = ::evloop::Runtime::new().expect("evloop: cannot create the runtime");
///     runtime.block_on(body)
/// }
/// ```
///
/// The function may have any name and any return type, but no parameters or generic
/// parameters. Write `#[evloop::main(crate = "my_evloop")]` if you renamed the crate.
///
/// # Panics
///
/// The generated function panics if the runtime cannot be created (the process is out
/// of file descriptors), if it is called inside a running evloop runtime, or if the body
/// panics.
///
/// # Examples
///
/// ```no_run
/// #[evloop::main]
/// async fn main() -> std::io::Result<()> {
///     let answer = evloop::spawn(async { 6 * 7 }).await.unwrap();
///     println!("{answer}");
///     Ok(())
/// }
/// ```
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(Kind::Main, args, item)
}

/// Runs an `async fn` test in its own evloop runtime.
///
/// The same as [`macro@main`], with `#[test]` added. Other attributes, such as
/// `#[should_panic]` or `#[ignore]`, are kept. The test may return a `Result`.
///
/// # Examples
///
/// ```no_run
/// #[evloop::test]
/// async fn spawned_task_finishes() {
///     let handle = evloop::spawn(async { 1 + 1 });
///     assert_eq!(handle.await.unwrap(), 2);
/// }
/// # fn main() {}
/// ```
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(Kind::Test, args, item)
}

/// Which attribute is being expanded.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Main,
    Test,
}

impl Kind {
    /// The attribute as users write it, for error messages.
    fn name(self) -> &'static str {
        match self {
            Kind::Main => "#[evloop::main]",
            Kind::Test => "#[evloop::test]",
        }
    }
}

/// Parses both inputs, then emits the errors followed by the function.
fn expand(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Vec::new();
    let args = Args::parse(kind, args, &mut errors);
    let function = match Function::parse(kind, item.clone(), &mut errors) {
        Some(function) => function.expand(kind, &args, !errors.is_empty()),
        // Not an `async fn`: emit the item unchanged, so that only our error shows.
        None => item,
    };
    let mut output: TokenStream = errors.iter().map(Error::to_compile_error).collect();
    output.extend(function);
    output
}

// ---------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------

/// A message and the tokens it is about.
struct Error {
    /// The first token's span.
    start: Span,
    /// The last token's span; the compiler underlines everything from `start` to here.
    end: Span,
    message: String,
}

impl Error {
    /// An error about one token.
    fn new(span: Span, message: impl Into<String>) -> Error {
        Error::spanning(span, span, message)
    }

    /// An error about the tokens from `start` to `end`.
    fn spanning(start: Span, end: Span, message: impl Into<String>) -> Error {
        Error {
            start,
            end,
            message: message.into(),
        }
    }

    /// `::core::compile_error! { "message" }`.
    ///
    /// The compiler reports a macro call from its first token to its last, so the path
    /// gets the `start` span and the braces the `end` span.
    fn to_compile_error(&self) -> TokenStream {
        let path = source("::core::compile_error!", self.start);
        let message = TokenTree::Literal(proc_macro::Literal::string(&self.message));
        let mut braces = Group::new(Delimiter::Brace, respan(message.into(), self.end));
        braces.set_span(self.end);
        let mut tokens = path;
        tokens.extend([TokenTree::Group(braces)]);
        tokens
    }
}

// ---------------------------------------------------------------------------------
// Arguments: `#[evloop::main(crate = "path")]`
// ---------------------------------------------------------------------------------

/// The parsed arguments; a field per entry in [`ARGUMENTS`].
struct Args {
    /// The path to the evloop crate, `::evloop` unless `crate = ...` says otherwise.
    krate: TokenStream,
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
const ARGUMENTS: &[Argument] = &[Argument {
    name: "crate",
    usage: "`crate = \"path\"`",
    apply: Args::set_crate,
}];

/// What followed an argument's name.
struct Value {
    /// The name, for errors about the value as a whole.
    name: Ident,
    /// The tokens after `=`, or `None` for a bare flag (`start_paused`, not
    /// `start_paused = true`).
    tokens: Option<Vec<TokenTree>>,
}

impl Args {
    /// Parses `name = value, name, ...`, reporting every problem.
    fn parse(kind: Kind, args: TokenStream, errors: &mut Vec<Error>) -> Args {
        let mut parsed = Args {
            krate: source("::evloop", Span::call_site()),
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
        let (start, end) = outer_spans(&tokens);
        let path = match tokens.as_slice() {
            [TokenTree::Literal(literal)] => {
                let text = literal.to_string();
                let unquoted = string_contents(&text).ok_or_else(|| Error::new(start, usage))?;
                let parsed = unquoted
                    .parse::<TokenStream>()
                    .map_err(|_| Error::new(start, usage))?;
                respan(parsed, literal.span())
            }
            _ => tokens.into_iter().collect(),
        };
        if !is_path(&path) {
            return Err(Error::spanning(start, end, usage));
        }
        self.krate = path;
        Ok(())
    }
}

impl Value {
    /// `name` or `name = tokens`.
    fn parse(entry: Vec<TokenTree>) -> Result<Value, Error> {
        let (start, end) = outer_spans(&entry);
        let mut tokens = entry.into_iter();
        let Some(TokenTree::Ident(name)) = tokens.next() else {
            return Err(Error::spanning(
                start,
                end,
                "expected an argument, like `crate = \"path\"`",
            ));
        };
        match tokens.next() {
            None => Ok(Value { name, tokens: None }),
            Some(TokenTree::Punct(equals)) if equals.as_char() == '=' => {
                let value: Vec<TokenTree> = tokens.collect();
                if value.is_empty() {
                    return Err(Error::new(
                        equals.span(),
                        format!("expected a value after `{name} =`"),
                    ));
                }
                Ok(Value {
                    name,
                    tokens: Some(value),
                })
            }
            Some(other) => Err(Error::new(
                other.span(),
                format!("expected `=` or `,` after `{name}`"),
            )),
        }
    }
}

/// Splits `a = 1, b, c = x::y` into its entries, dropping empty ones.
fn split_on_commas(tokens: TokenStream) -> Vec<Vec<TokenTree>> {
    let mut entries = vec![Vec::new()];
    for token in tokens {
        match &token {
            TokenTree::Punct(punct) if punct.as_char() == ',' => entries.push(Vec::new()),
            _ => entries
                .last_mut()
                .expect("starts with one entry")
                .push(token),
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

/// Whether `tokens` are a path: `a`, `a::b`, `::a::b`, ...
fn is_path(tokens: &TokenStream) -> bool {
    let is_colon =
        |token: &TokenTree| matches!(token, TokenTree::Punct(punct) if punct.as_char() == ':');
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

// ---------------------------------------------------------------------------------
// The function
// ---------------------------------------------------------------------------------

/// The parts of `#[attrs] vis async fn name() -> Output { body }` that the expansion
/// reuses, each as the user's tokens.
struct Function {
    /// Outer attributes, doc comments included: `#` then `[...]`, repeatedly.
    attributes: Vec<TokenTree>,
    /// `pub`, `pub(crate)`, ..., or nothing.
    visibility: Vec<TokenTree>,
    /// The `fn` keyword; the expansion reuses its span.
    fn_token: Ident,
    name: Ident,
    /// `<...>`, only kept so the body still resolves after its error.
    generics: Vec<TokenTree>,
    /// `(...)`, normally empty.
    parameters: Group,
    /// `-> Type`, or nothing.
    output: Vec<TokenTree>,
    /// `where ...`, only kept so the body still resolves after its error.
    where_clause: Vec<TokenTree>,
    /// `{ ... }`.
    body: Group,
}

impl Function {
    /// Walks `item`, pushing an error for each thing the attribute cannot accept.
    ///
    /// Returns `None` when the item must be emitted unchanged: it is not a function, has
    /// no body, or is not `async` (then it is a valid plain `fn`, and our error is the
    /// only one the user sees).
    fn parse(kind: Kind, item: TokenStream, errors: &mut Vec<Error>) -> Option<Function> {
        let attribute = kind.name();
        let mut tokens = item.into_iter().peekable();

        // #[attr] #[attr] ...
        let mut attributes = Vec::new();
        while let Some(TokenTree::Punct(pound)) = tokens.peek() {
            if pound.as_char() != '#' {
                break;
            }
            let pound = tokens.next()?;
            let brackets = tokens.next()?;
            if kind == Kind::Test && is_test_attribute(&brackets) {
                errors.push(Error::spanning(
                    pound.span(),
                    brackets.span(),
                    "remove this `#[test]`: #[evloop::test] adds one already",
                ));
            } else {
                attributes.extend([pound, brackets]);
            }
        }

        // pub, pub(crate), or a `$vis` from a macro_rules macro (an invisible group).
        let mut visibility = Vec::new();
        match tokens.peek() {
            Some(TokenTree::Ident(ident)) if ident.to_string() == "pub" => {
                visibility.push(tokens.next()?);
                if let Some(TokenTree::Group(group)) = tokens.peek()
                    && group.delimiter() == Delimiter::Parenthesis
                {
                    visibility.push(tokens.next()?);
                }
            }
            Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::None => {
                visibility.push(tokens.next()?);
            }
            _ => {}
        }

        // const async unsafe extern "C" fn
        let mut is_async = false;
        let fn_token = loop {
            let token = tokens.next()?;
            let TokenTree::Ident(ident) = &token else {
                errors.push(not_a_function(kind, &token));
                return None;
            };
            match ident.to_string().as_str() {
                "fn" => break ident.clone(),
                "async" => is_async = true,
                "extern" => {
                    let mut end = ident.span();
                    if let Some(TokenTree::Literal(abi)) = tokens.peek() {
                        end = abi.span();
                        tokens.next();
                    }
                    errors.push(Error::spanning(
                        ident.span(),
                        end,
                        format!("{attribute} does not support `extern` functions; remove it"),
                    ));
                }
                qualifier @ ("const" | "unsafe" | "safe" | "default") => errors.push(Error::new(
                    ident.span(),
                    format!(
                        "{attribute} does not support `{qualifier}` functions; remove `{qualifier}`"
                    ),
                )),
                _ => {
                    errors.push(not_a_function(kind, &token));
                    return None;
                }
            }
        };
        if !is_async {
            errors.push(Error::new(
                fn_token.span(),
                format!("{attribute} needs an `async fn`; add `async` before `fn`"),
            ));
        }

        let Some(TokenTree::Ident(name)) = tokens.next() else {
            return None; // The compiler parsed this item, so `fn` is followed by a name.
        };

        // <T, U> is an error, but its `>` may hide in `->` or `>>`: count the brackets.
        let mut generics = Vec::new();
        if let Some(TokenTree::Punct(open)) = tokens.peek()
            && open.as_char() == '<'
        {
            let mut depth = 0usize;
            let mut after_minus = false;
            for token in tokens.by_ref() {
                if let TokenTree::Punct(punct) = &token {
                    match punct.as_char() {
                        '<' => depth += 1,
                        '>' if !after_minus => depth -= 1,
                        _ => {}
                    }
                    after_minus = punct.as_char() == '-';
                } else {
                    after_minus = false;
                }
                generics.push(token);
                if depth == 0 {
                    break;
                }
            }
            let (start, end) = outer_spans(&generics);
            errors.push(Error::spanning(
                start,
                end,
                format!("{attribute} does not support generic parameters"),
            ));
        }

        let Some(TokenTree::Group(parameters)) = tokens.next() else {
            return None;
        };
        if !parameters.stream().is_empty() {
            let message = match kind {
                Kind::Main => {
                    "#[evloop::main] needs a function without parameters; \
                               it is called with none"
                }
                Kind::Test => {
                    "#[evloop::test] needs a function without parameters: \
                               the test harness calls it with none"
                }
            };
            errors.push(Error::new(parameters.span(), message));
        }

        // Everything left: `-> Output`, `where ...`, then the body.
        let mut rest: Vec<TokenTree> = tokens.collect();
        let body = match rest.pop() {
            Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Brace => group,
            // A `$body:block` from a macro_rules macro arrives wrapped in an invisible group.
            Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::None => {
                match group.stream().into_iter().collect::<Vec<_>>().as_slice() {
                    [TokenTree::Group(inner)] if inner.delimiter() == Delimiter::Brace => {
                        inner.clone()
                    }
                    _ => return None,
                }
            }
            Some(token) => {
                errors.push(Error::new(
                    token.span(),
                    format!("{attribute} needs a function with a body"),
                ));
                return None;
            }
            None => return None,
        };
        let where_index = rest.iter().position(
            |token| matches!(token, TokenTree::Ident(ident) if ident.to_string() == "where"),
        );
        let where_clause = match where_index {
            Some(index) => rest.split_off(index),
            None => Vec::new(),
        };
        if !where_clause.is_empty() {
            let (start, end) = outer_spans(&where_clause);
            errors.push(Error::spanning(
                start,
                end,
                format!("{attribute} does not support a `where` clause"),
            ));
        }
        let output = rest;

        is_async.then_some(Function {
            attributes,
            visibility,
            fn_token,
            name,
            generics,
            parameters,
            output,
            where_clause,
            body,
        })
    }

    /// The plain `fn` that runs the body in a runtime; see the crate docs.
    ///
    /// After an error, a test gets `#[cfg(test)]` instead of `#[test]`: the test harness
    /// would only repeat the error (or add its own about parameters and generics).
    fn expand(self, kind: Kind, args: &Args, has_errors: bool) -> TokenStream {
        let mut tokens = TokenStream::new();
        match (kind, has_errors) {
            (Kind::Main, _) => {}
            (Kind::Test, false) => {
                tokens.extend(source("#[::core::prelude::v1::test]", Span::call_site()))
            }
            (Kind::Test, true) => tokens.extend(source(
                "#[cfg(test)] #[allow(dead_code)]",
                Span::call_site(),
            )),
        }
        tokens.extend(self.attributes);
        tokens.extend(self.visibility);
        tokens.extend([TokenTree::Ident(self.fn_token), TokenTree::Ident(self.name)]);
        tokens.extend(self.generics);
        tokens.extend([TokenTree::Group(self.parameters)]);
        tokens.extend(self.output);
        tokens.extend(self.where_clause);

        // The tail gets the span of the body's last token: if the body's value does not
        // match the declared return type, the error points there, as it would without
        // the attribute. The user's code comes first, so it cannot name `body` or
        // `runtime`; `body` also gets a mixed-site span to make that plain.
        let tail = match self.body.stream().into_iter().last() {
            Some(token) => token.span(),
            None => self.body.span_close(),
        };
        let mut block = source("let body = async move", Span::mixed_site());
        block.extend([TokenTree::Group(self.body.clone())]);
        block.extend(source("; let runtime =", tail));
        block.extend(args.krate.clone());
        block.extend(source(
            "::Runtime::new().expect(\"evloop: cannot create the runtime\");",
            Span::call_site(),
        ));
        block.extend(source("runtime.block_on", tail));
        let mut call = Group::new(Delimiter::Parenthesis, source("body", Span::mixed_site()));
        call.set_span(tail);
        block.extend([TokenTree::Group(call)]);

        let mut braces = Group::new(Delimiter::Brace, block);
        braces.set_span(self.body.span());
        tokens.extend([TokenTree::Group(braces)]);
        tokens
    }
}

/// The error for an item that is not a function; `token` is where it stops looking like one.
fn not_a_function(kind: Kind, token: &TokenTree) -> Error {
    Error::new(
        token.span(),
        format!(
            "{} goes on an `async fn`; this item is not a function",
            kind.name()
        ),
    )
}

/// Whether `[...]` is `[test]`.
fn is_test_attribute(brackets: &TokenTree) -> bool {
    let TokenTree::Group(group) = brackets else {
        return false;
    };
    let inner: Vec<TokenTree> = group.stream().into_iter().collect();
    matches!(inner.as_slice(), [TokenTree::Ident(ident)] if ident.to_string() == "test")
}

// ---------------------------------------------------------------------------------
// Token helpers
// ---------------------------------------------------------------------------------

/// Rust source text as tokens, all with `span`.
fn source(text: &str, span: Span) -> TokenStream {
    let tokens = text
        .parse()
        .expect("the macros only parse their own, valid source text");
    respan(tokens, span)
}

/// `tokens` with every span, inside groups too, replaced by `span`.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|token| match token {
            TokenTree::Group(group) => {
                let mut respanned = Group::new(group.delimiter(), respan(group.stream(), span));
                respanned.set_span(span);
                TokenTree::Group(respanned)
            }
            mut other => {
                other.set_span(span);
                other
            }
        })
        .collect()
}

/// The spans of the first and last of `tokens`, to underline all of them.
fn outer_spans(tokens: &[TokenTree]) -> (Span, Span) {
    match (tokens.first(), tokens.last()) {
        (Some(first), Some(last)) => (first.span(), last.span()),
        _ => (Span::call_site(), Span::call_site()),
    }
}
