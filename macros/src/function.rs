//! Reading the item under the attribute into a [`Function`].
//!
//! The compiler has already parsed the item, so this only needs to find the parts the
//! expansion reuses and to report what the attribute cannot accept. Each step below
//! takes one part of the signature, in the order it is written.

use std::iter::Peekable;

use proc_macro::{Delimiter, Group, Ident, TokenStream, TokenTree, token_stream};

use crate::Kind;
use crate::error::Error;
use crate::tokens::{is_ident, is_punct};

/// The item's tokens, with one token of lookahead.
type Tokens = Peekable<token_stream::IntoIter>;

/// The parts of `#[attrs] vis async fn name() -> Output { body }` that the expansion
/// reuses, each as the user's tokens.
pub(crate) struct Function {
    /// Outer attributes, doc comments included: `#` then `[...]`, repeatedly.
    pub(crate) attributes: Vec<TokenTree>,
    /// `pub`, `pub(crate)`, ..., or nothing.
    pub(crate) visibility: Vec<TokenTree>,
    /// The `fn` keyword; the expansion reuses its span.
    pub(crate) fn_token: Ident,
    /// The user's name, kept so the generated `fn` replaces theirs.
    pub(crate) name: Ident,
    /// `<...>`, only kept so the body still resolves after its error.
    pub(crate) generics: Vec<TokenTree>,
    /// `(...)`, normally empty.
    pub(crate) parameters: Group,
    /// `-> Type`, or nothing.
    pub(crate) output: Vec<TokenTree>,
    /// `where ...`, only kept so the body still resolves after its error.
    pub(crate) where_clause: Vec<TokenTree>,
    /// `{ ... }`.
    pub(crate) body: Group,
}

impl Function {
    /// Walks `item`, pushing an error for each thing the attribute cannot accept.
    ///
    /// Returns `None` when the item must be emitted unchanged: it is not a function, has
    /// no body, or is not `async` (then it is a valid plain `fn`, and our error is the
    /// only one the user sees).
    pub(crate) fn parse(
        kind: Kind,
        item: TokenStream,
        errors: &mut Vec<Error>,
    ) -> Option<Function> {
        let attribute = kind.name();
        let mut tokens = item.into_iter().peekable();
        let attributes = parse_attributes(kind, &mut tokens, errors)?;
        let visibility = parse_visibility(&mut tokens)?;
        let (fn_token, is_async) = parse_qualifiers(kind, &mut tokens, errors)?;
        if !is_async {
            errors.push(Error::new(
                fn_token.span(),
                format!("{attribute} needs an `async fn`; add `async` before `fn`"),
            ));
        }

        let Some(TokenTree::Ident(name)) = tokens.next() else {
            return None; // The compiler parsed this item, so `fn` is followed by a name.
        };
        let generics = parse_generics(kind, &mut tokens, errors);

        let Some(TokenTree::Group(parameters)) = tokens.next() else {
            return None;
        };
        if !parameters.stream().is_empty() {
            let reason = match kind {
                Kind::Main => "; it is called with none",
                Kind::Test => ": the test harness calls it with none",
            };
            errors.push(Error::new(
                parameters.span(),
                format!("{attribute} needs a function without parameters{reason}"),
            ));
        }

        // Everything left: `-> Output`, `where ...`, then the body.
        let mut rest: Vec<TokenTree> = tokens.collect();
        let body = parse_body(kind, &mut rest, errors)?;
        let where_clause = parse_where_clause(kind, &mut rest, errors);
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
}

/// `#[attr] #[attr] ...`, all kept but a `#[test]` under `#[evloop::test]`, which adds
/// its own.
fn parse_attributes(
    kind: Kind,
    tokens: &mut Tokens,
    errors: &mut Vec<Error>,
) -> Option<Vec<TokenTree>> {
    let mut attributes = Vec::new();
    while tokens.peek().is_some_and(|token| is_punct(token, '#')) {
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
    Some(attributes)
}

/// `pub`, `pub(crate)`, or a `$vis` from a macro_rules macro (an invisible group); the
/// expansion keeps it so the function stays as visible as the user made it.
fn parse_visibility(tokens: &mut Tokens) -> Option<Vec<TokenTree>> {
    let mut visibility = Vec::new();
    match tokens.peek() {
        Some(token) if is_ident(token, "pub") => {
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
    Some(visibility)
}

/// `const async unsafe extern "C" fn`: returns the `fn` keyword and whether `async` was
/// there. The other qualifiers make no sense on a function that a runtime calls, so each
/// one is an error.
fn parse_qualifiers(
    kind: Kind,
    tokens: &mut Tokens,
    errors: &mut Vec<Error>,
) -> Option<(Ident, bool)> {
    let attribute = kind.name();
    let mut is_async = false;
    loop {
        let token = tokens.next()?;
        let TokenTree::Ident(ident) = &token else {
            errors.push(not_a_function(kind, &token));
            return None;
        };
        match ident.to_string().as_str() {
            "fn" => return Some((ident.clone(), is_async)),
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
    }
}

/// `<T, U>`, which is an error: the runtime could not choose the types. Its `>` may
/// hide in `->` or `>>`, so the brackets are counted.
fn parse_generics(kind: Kind, tokens: &mut Tokens, errors: &mut Vec<Error>) -> Vec<TokenTree> {
    let mut generics = Vec::new();
    if !tokens.peek().is_some_and(|token| is_punct(token, '<')) {
        return generics;
    }
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
    errors.push(Error::covering(
        &generics,
        format!("{} does not support generic parameters", kind.name()),
    ));
    generics
}

/// Takes the `{ ... }` off the end of `rest`, the body the runtime will run.
///
/// Returns `None` when there is no block; only a declaration ending in something
/// else gets an error from us, as the compiler explains the other cases better.
fn parse_body(kind: Kind, rest: &mut Vec<TokenTree>, errors: &mut Vec<Error>) -> Option<Group> {
    match rest.pop()? {
        TokenTree::Group(group) if group.delimiter() == Delimiter::Brace => Some(group),
        // A `$body:block` from a macro_rules macro arrives wrapped in an invisible group.
        TokenTree::Group(group) if group.delimiter() == Delimiter::None => {
            match group.stream().into_iter().collect::<Vec<_>>().as_slice() {
                [TokenTree::Group(inner)] if inner.delimiter() == Delimiter::Brace => {
                    Some(inner.clone())
                }
                _ => None,
            }
        }
        token => {
            errors.push(Error::new(
                token.span(),
                format!("{} needs a function with a body", kind.name()),
            ));
            None
        }
    }
}

/// Splits `where ...` off the end of `rest`, which is an error for the same reason as
/// generic parameters.
fn parse_where_clause(
    kind: Kind,
    rest: &mut Vec<TokenTree>,
    errors: &mut Vec<Error>,
) -> Vec<TokenTree> {
    let Some(index) = rest.iter().position(|token| is_ident(token, "where")) else {
        return Vec::new();
    };
    let where_clause = rest.split_off(index);
    errors.push(Error::covering(
        &where_clause,
        format!("{} does not support a `where` clause", kind.name()),
    ));
    where_clause
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

/// Whether `[...]` is `[test]`, the one attribute `#[evloop::test]` must not repeat.
fn is_test_attribute(brackets: &TokenTree) -> bool {
    let TokenTree::Group(group) = brackets else {
        return false;
    };
    let inner: Vec<TokenTree> = group.stream().into_iter().collect();
    matches!(inner.as_slice(), [token] if is_ident(token, "test"))
}
