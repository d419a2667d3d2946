//! Small helpers for building and inspecting tokens.
//!
//! The crate uses only `proc_macro`, which has no quoting and no token predicates;
//! these stand in for the few pieces of `quote` and `syn` the macros need.

use proc_macro::{Delimiter, Group, Span, TokenStream, TokenTree};

/// Rust source text as tokens, all with `span`: easier to read than building the
/// tokens one by one.
pub(crate) fn source(text: &str, span: Span) -> TokenStream {
    let tokens = text
        .parse()
        .expect("the macros only parse their own, valid source text");
    respan(tokens, span)
}

/// `tokens` with every span, inside groups too, replaced by `span`, so that errors in
/// generated code point at the user's tokens the code stands for.
pub(crate) fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|token| match token {
            TokenTree::Group(inner) => group(inner.delimiter(), respan(inner.stream(), span), span),
            mut other => {
                other.set_span(span);
                other
            }
        })
        .collect()
}

/// A group with a chosen span: `Group::new` gives the call site, which would point
/// errors at the attribute instead of the user's code.
pub(crate) fn group(delimiter: Delimiter, stream: TokenStream, span: Span) -> TokenTree {
    let mut group = Group::new(delimiter, stream);
    group.set_span(span);
    TokenTree::Group(group)
}

/// Whether `token` is the punctuation `ch`, the way most of the syntax is recognised.
pub(crate) fn is_punct(token: &TokenTree, ch: char) -> bool {
    matches!(token, TokenTree::Punct(punct) if punct.as_char() == ch)
}

/// Whether `token` is the identifier or keyword `name`; `Ident` has no cheaper
/// comparison than its text.
pub(crate) fn is_ident(token: &TokenTree, name: &str) -> bool {
    matches!(token, TokenTree::Ident(ident) if ident.to_string() == name)
}
