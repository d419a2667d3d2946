//! What the server answers: one handler for HTTP/1.1 and HTTP/2 alike.
//!
//! - `GET /` (and anything else not below): `Hello, World!`
//! - `POST /echo`: the request body, streamed back as it arrives;
//! - `GET /bytes/N`: `N` bytes of `x`, made 64 KiB at a time as the client takes them,
//!   each piece freshly allocated as a real handler's data would be (hyper asks the
//!   body for more only when the connection has room, so a client that stops reading
//!   stops the server from making more, and its memory stays bounded).

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Bytes, Frame, Incoming};
use hyper::{Method, Request, Response, StatusCode};

/// Every response body, boxed. `Send` but not `Sync` (hyper's request body is not
/// `Sync`); evloop would take a `!Send` one too, the tokio port of this server
/// (bench/build_cost/tokio-hyper-app) would not.
pub type ResponseBody = UnsyncBoxBody<Bytes, hyper::Error>;

/// The size of the pieces `/bytes/N` is made of.
const PIECE: u64 = 64 * 1024;

pub async fn handle(request: Request<Incoming>) -> Result<Response<ResponseBody>, Infallible> {
    let path = request.uri().path();
    let response = match (request.method(), path) {
        (&Method::POST, "/echo") => Response::new(request.into_body().boxed_unsync()),
        (&Method::GET, _) if path.starts_with("/bytes/") => match path["/bytes/".len()..].parse() {
            Ok(length) => Response::new(Made { left: length }.boxed_unsync()),
            Err(_) => text(StatusCode::BAD_REQUEST, "/bytes/N wants a number\n"),
        },
        _ => text(StatusCode::OK, "Hello, World!"),
    };
    Ok(response)
}

fn text(status: StatusCode, body: &'static str) -> Response<ResponseBody> {
    let body = Full::new(Bytes::from_static(body.as_bytes()));
    let mut response = Response::new(body.map_err(|never| match never {}).boxed_unsync());
    *response.status_mut() = status;
    response
}

/// A body of `left` bytes, made a [`PIECE`] at a time when hyper asks for one.
struct Made {
    left: u64,
}

impl Body for Made {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        if self.left == 0 {
            return Poll::Ready(None);
        }
        let piece = self.left.min(PIECE);
        self.left -= piece;
        let piece = vec![b'x'; piece as usize];
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(piece)))))
    }

    fn is_end_stream(&self) -> bool {
        self.left == 0
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        hyper::body::SizeHint::with_exact(self.left)
    }
}
