//! Emitting the plain `fn` that runs the parsed [`Function`] in a runtime.
//!
//! Every token of the user's signature and body is reused as written; only the few
//! tokens around the body are generated, with spans chosen so errors still point at
//! the user's code.

use proc_macro::{Delimiter, Span, TokenStream, TokenTree};

use crate::Kind;
use crate::args::Args;
use crate::function::Function;
use crate::tokens::{group, source};

impl Function {
    /// The plain `fn` that runs the body in a runtime; see the crate docs.
    ///
    /// After an error, a test gets `#[cfg(test)]` instead of `#[test]`: the test harness
    /// would only repeat the error (or add its own about parameters and generics).
    pub(crate) fn expand(self, kind: Kind, args: &Args, has_errors: bool) -> TokenStream {
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
        let build = if args.start_paused {
            "::Runtime::builder().start_paused(true).build()"
        } else {
            "::Runtime::new()"
        };
        block.extend(source(build, Span::call_site()));
        block.extend(source(
            ".expect(\"evloop: cannot create the runtime\");",
            Span::call_site(),
        ));
        block.extend(source("runtime.block_on", tail));
        block.extend([group(
            Delimiter::Parenthesis,
            source("body", Span::mixed_site()),
            tail,
        )]);

        tokens.extend([group(Delimiter::Brace, block, self.body.span())]);
        tokens
    }
}
