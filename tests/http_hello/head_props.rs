//! Property tests of `http_hello`'s request-head parser: random bytes, valid heads,
//! and valid heads mutated. No input makes it panic or allocate, and input cut into
//! reads anywhere parses as it does in one piece.

use proptest::collection::vec;
use proptest::prelude::*;

use crate::alloc_probe::largest_allocation;
use crate::head::{Head, HeadParser, Request};

/// What parsing a stream of bytes came to: the heads found, in order, and how it
/// ended (`Head::Partial` or `Head::Invalid`).
type Outcome = (Vec<Request>, Head);

/// Feeds `bytes` to a parser as reads that end at `cuts` (sorted offsets) and at the
/// end; after each read, every whole head at the front of what is left is taken.
/// (Bodies are left out: the bytes after a head are the next head.)
fn parse_in_reads(bytes: &[u8], cuts: &[usize]) -> Outcome {
    let mut parser = HeadParser::default();
    let mut heads = Vec::new();
    let mut start = 0;
    for filled in cuts.iter().copied().chain([bytes.len()]) {
        loop {
            match parser.parse(&bytes[start..filled]) {
                Head::Complete(request) => {
                    assert!(request.head_len > 0 && start + request.head_len <= filled);
                    start += request.head_len;
                    heads.push(request);
                }
                Head::Partial => break,
                Head::Invalid => return (heads, Head::Invalid),
            }
        }
    }
    (heads, Head::Partial)
}

/// A valid head and what the parser must make of it.
#[derive(Debug, Clone)]
struct ValidHead {
    bytes: Vec<u8>,
    request: Request,
}

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}"
}

fn valid_head() -> impl Strategy<Value = ValidHead> {
    (
        token(),
        "/[!-~]{0,20}",
        any::<bool>(),
        vec((token(), "[ -~]{0,20}"), 0..5),
        proptest::option::of(0usize..100_000),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(method, target, http_1_1, extra, length, close, bare_lf)| {
                let newline = if bare_lf { "\n" } else { "\r\n" };
                let version = if http_1_1 { "HTTP/1.1" } else { "HTTP/1.0" };
                let mut head = format!("{method} {target} {version}{newline}Host: a{newline}");
                for (name, value) in extra {
                    // Keep out the fields the parser reads; their values are chosen below.
                    let known = ["host", "content-length", "connection", "transfer-encoding"];
                    if !known.contains(&name.to_ascii_lowercase().as_str()) {
                        head += &format!("{name}: {}{newline}", value.trim());
                    }
                }
                if let Some(length) = length {
                    head += &format!("Content-Length: {length}{newline}");
                }
                if close {
                    head += &format!("Connection: close{newline}");
                }
                head += newline;
                ValidHead {
                    request: Request {
                        head_len: head.len(),
                        body_len: length.unwrap_or(0),
                        close: close || !http_1_1,
                    },
                    bytes: head.into_bytes(),
                }
            },
        )
}

/// A change to a valid head: what a broken or hostile client might send.
#[derive(Debug, Clone)]
enum Mutation {
    Flip {
        at: usize,
        byte: u8,
    },
    Insert {
        at: usize,
        byte: u8,
    },
    Delete {
        at: usize,
    },
    /// A field that proxies and servers have been known to disagree about.
    Field {
        at: usize,
        line: &'static str,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let lines = vec![
        "Content-Length: +5\r\n",
        "Content-Length: 7\r\n",
        "Content-Length: 1, 2\r\n",
        "Transfer-Encoding: chunked\r\n",
        "Host: b\r\n",
        " folded\r\n",
        "X: a\0b\r\n",
        "X: a\rb\r\n",
        "\r\n",
    ];
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Flip { at, byte }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Insert { at, byte }),
        any::<usize>().prop_map(|at| Mutation::Delete { at }),
        (any::<usize>(), prop::sample::select(lines))
            .prop_map(|(at, line)| Mutation::Field { at, line }),
    ]
}

fn mutate(bytes: &mut Vec<u8>, mutation: &Mutation) {
    let len = bytes.len();
    match *mutation {
        Mutation::Flip { at, byte } => bytes[at % len] = byte,
        Mutation::Insert { at, byte } => bytes.insert(at % (len + 1), byte),
        Mutation::Delete { at } => {
            bytes.remove(at % len);
        }
        Mutation::Field { at, line } => {
            // At the start of some line.
            let starts: Vec<usize> = (0..len).filter(|&i| bytes[i] == b'\n').collect();
            let at = starts.get(at % starts.len().max(1)).map_or(0, |&i| i + 1);
            bytes.splice(at..at, line.bytes());
        }
    }
}

/// Sorted, distinct offsets inside `len` at which to cut the input into reads.
fn cuts(len: usize, picks: &[usize]) -> Vec<usize> {
    let mut cuts: Vec<usize> = picks.iter().map(|pick| pick % (len + 1)).collect();
    cuts.sort_unstable();
    cuts.dedup();
    cuts
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any bytes: no panic, no allocation, and the same outcome in one piece and
    /// cut into reads.
    #[test]
    fn any_bytes_parse_alike_in_any_reads_without_allocating(
        bytes in vec(any::<u8>(), 0..1024),
        picks in vec(any::<usize>(), 0..8),
    ) {
        let (_, allocated) = largest_allocation(|| HeadParser::default().parse(&bytes));
        prop_assert_eq!(allocated, 0);
        prop_assert_eq!(parse_in_reads(&bytes, &cuts(bytes.len(), &picks)), parse_in_reads(&bytes, &[]));
    }

    /// Valid heads, pipelined: found in order with what they say, and the same
    /// whichever byte boundary the input is cut at.
    #[test]
    fn valid_heads_split_at_every_boundary_parse_as_in_one_piece(
        heads in vec(valid_head(), 1..3),
    ) {
        let bytes: Vec<u8> = heads.iter().flat_map(|head| head.bytes.clone()).collect();
        let requests: Vec<Request> = heads.into_iter().map(|head| head.request).collect();
        let whole = parse_in_reads(&bytes, &[]);
        prop_assert_eq!(&whole, &(requests, Head::Partial));
        for cut in 0..=bytes.len() {
            prop_assert_eq!(&parse_in_reads(&bytes, &[cut]), &whole, "cut at {}", cut);
        }
    }

    /// Valid heads with a few mutations: no panic, and the same outcome in one piece
    /// and in reads cut anywhere.
    #[test]
    fn mutated_heads_parse_alike_in_any_reads(
        head in valid_head(),
        mutations in vec(mutation(), 1..4),
        picks in vec(any::<usize>(), 0..8),
    ) {
        let mut bytes = head.bytes;
        for mutation in &mutations {
            mutate(&mut bytes, mutation);
        }
        prop_assert_eq!(parse_in_reads(&bytes, &cuts(bytes.len(), &picks)), parse_in_reads(&bytes, &[]));
    }

    /// The smuggling classics, wherever they are put in a valid head, never parse
    /// as a head with a different body length.
    #[test]
    fn conflicting_fields_are_refused(head in valid_head(), at in any::<usize>()) {
        let mut bytes = head.bytes.clone();
        mutate(&mut bytes, &Mutation::Field { at, line: "Transfer-Encoding: chunked\r\n" });
        let (heads, end) = parse_in_reads(&bytes, &[]);
        prop_assert!(
            end == Head::Invalid || heads.iter().all(|request| request.body_len == head.request.body_len),
            "{:?}", heads
        );
    }
}
