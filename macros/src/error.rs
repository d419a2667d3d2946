//! The [`Error`] type, and how it reaches the user as a `compile_error!`.
//!
//! Errors are collected rather than returned early, so that one expansion reports
//! every problem at once.

use proc_macro::{Delimiter, Literal, Span, TokenStream, TokenTree};

use crate::tokens::{group, source};

/// A message and the tokens it is about, kept apart from the tokens themselves so the
/// function can still be emitted next to its errors.
pub(crate) struct Error {
    /// The first token's span.
    start: Span,
    /// The last token's span; the compiler underlines everything from `start` to here.
    end: Span,
    /// What is wrong and how to fix it, in the words the user sees.
    message: String,
}

impl Error {
    /// An error about one token.
    pub(crate) fn new(span: Span, message: impl Into<String>) -> Error {
        Error::spanning(span, span, message)
    }

    /// An error about the tokens from `start` to `end`.
    pub(crate) fn spanning(start: Span, end: Span, message: impl Into<String>) -> Error {
        Error {
            start,
            end,
            message: message.into(),
        }
    }

    /// An error about all of `tokens`, from the first to the last, so the whole
    /// offending part is underlined.
    pub(crate) fn covering(tokens: &[TokenTree], message: impl Into<String>) -> Error {
        let (start, end) = match (tokens.first(), tokens.last()) {
            (Some(first), Some(last)) => (first.span(), last.span()),
            _ => (Span::call_site(), Span::call_site()),
        };
        Error::spanning(start, end, message)
    }

    /// `::core::compile_error! { "message" }`.
    ///
    /// The compiler reports a macro call from its first token to its last, so the path
    /// gets the `start` span and the braces the `end` span.
    pub(crate) fn to_compile_error(&self) -> TokenStream {
        let mut message = Literal::string(&self.message);
        message.set_span(self.end);
        let mut tokens = source("::core::compile_error!", self.start);
        tokens.extend([group(
            Delimiter::Brace,
            TokenTree::Literal(message).into(),
            self.end,
        )]);
        tokens
    }
}
