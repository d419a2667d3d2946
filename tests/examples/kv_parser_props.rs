//! Property tests of `kv`'s RESP parser: random bytes, valid commands, and valid
//! commands mutated. No input makes it panic or allocate by a length it only claims,
//! and input cut into reads anywhere parses as it does in one piece.

use proptest::collection::vec;
use proptest::prelude::*;

use crate::alloc_probe::largest_allocation;
use crate::kv_resp::{Limits, Parser, ProtocolError};

const LIMITS: Limits = Limits {
    max_bulk: 512 * 1024 * 1024,
    max_command: 1024 * 1024 * 1024,
};

/// What parsing a stream of bytes came to: the commands found, in order, and how it
/// ended (`Ok(())`: waiting for more bytes).
type Outcome = (Vec<Vec<Vec<u8>>>, Result<(), ProtocolError>);

/// Feeds `bytes` to a parser the way the server does, the reads ending at `cuts`
/// (sorted offsets) and at the end: after each read, every whole command at the
/// front of what is unparsed is taken; the rest waits for the next read.
fn parse_in_reads(bytes: &[u8], cuts: &[usize]) -> Outcome {
    let mut parser = Parser::new(LIMITS);
    let mut commands = Vec::new();
    let mut start = 0;
    let mut args = Vec::new();
    for filled in cuts.iter().copied().chain([bytes.len()]) {
        loop {
            match parser.parse(&bytes[start..filled], &mut args) {
                Ok(Some(used)) => {
                    assert!(used > 0 && start + used <= filled, "used {used}");
                    commands.push(args.iter().map(|arg| arg.to_vec()).collect());
                    start += used;
                }
                Ok(None) => break,
                Err(error) => return (commands, Err(error)),
            }
        }
    }
    (commands, Ok(()))
}

/// A command of 1 to 5 arguments of any bytes.
fn command() -> impl Strategy<Value = Vec<Vec<u8>>> {
    vec(vec(any::<u8>(), 0..40), 1..6)
}

/// `args` as a RESP array of bulk strings.
fn encode(args: &[Vec<u8>]) -> Vec<u8> {
    let mut bytes = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        bytes.extend(format!("${}\r\n", arg.len()).into_bytes());
        bytes.extend(arg);
        bytes.extend(b"\r\n");
    }
    bytes
}

/// A change to a valid request: what a broken or hostile client might send.
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
    /// Replace a digit with a sign, a space, or a huge number.
    Number {
        at: usize,
        with: &'static str,
    },
    Truncate {
        at: usize,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Flip { at, byte }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Insert { at, byte }),
        any::<usize>().prop_map(|at| Mutation::Delete { at }),
        (
            any::<usize>(),
            prop::sample::select(vec!["+", "-", " ", "0", "99999999999999999999", "-1"])
        )
            .prop_map(|(at, with)| Mutation::Number { at, with }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
    ]
}

fn mutate(bytes: &mut Vec<u8>, mutation: &Mutation) {
    if bytes.is_empty() {
        return;
    }
    let len = bytes.len();
    match *mutation {
        Mutation::Flip { at, byte } => bytes[at % len] = byte,
        Mutation::Insert { at, byte } => bytes.insert(at % (len + 1), byte),
        Mutation::Delete { at } => {
            bytes.remove(at % len);
        }
        Mutation::Number { at, with } => {
            let digits: Vec<usize> = (0..len).filter(|&i| bytes[i].is_ascii_digit()).collect();
            if let Some(&i) = digits.get(at % digits.len().max(1)) {
                bytes.splice(i..=i, with.bytes());
            }
        }
        Mutation::Truncate { at } => bytes.truncate(at % len),
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

    /// Any bytes, in one piece and cut into reads: no panic, the same outcome, and no
    /// allocation bigger than a small multiple of the input.
    #[test]
    fn any_bytes_parse_alike_in_any_reads_without_big_allocations(
        bytes in vec(any::<u8>(), 0..2048),
        picks in vec(any::<usize>(), 0..8),
    ) {
        let (whole, largest) = largest_allocation(|| parse_in_reads(&bytes, &[]));
        prop_assert!(largest <= 64 * bytes.len() + 4096, "{} bytes allocated", largest);
        prop_assert_eq!(parse_in_reads(&bytes, &cuts(bytes.len(), &picks)), whole);
    }

    /// Headers claiming huge counts and lengths allocate nothing for them.
    #[test]
    fn claimed_sizes_are_not_allocated(count in 0usize..2_000_000, len in 0usize..1 << 30) {
        let bytes = format!("*{count}\r\n$3\r\nSET\r\n${len}\r\nabc").into_bytes();
        let (_, largest) = largest_allocation(|| parse_in_reads(&bytes, &[]));
        prop_assert!(largest <= 4096, "{} bytes allocated", largest);
    }

    /// Valid commands, pipelined: found in order, and the same whichever byte
    /// boundary the input is cut at.
    #[test]
    fn valid_commands_split_at_every_boundary_parse_as_in_one_piece(
        commands in vec(command(), 1..4),
    ) {
        let bytes: Vec<u8> = commands.iter().flat_map(|args| encode(args)).collect();
        let whole = parse_in_reads(&bytes, &[]);
        prop_assert_eq!(&whole, &(commands, Ok(())));
        for cut in 0..=bytes.len() {
            prop_assert_eq!(&parse_in_reads(&bytes, &[cut]), &whole, "cut at {}", cut);
        }
    }

    /// Valid commands with a few mutations: no panic, and the same outcome in one
    /// piece and in reads cut anywhere.
    #[test]
    fn mutated_commands_parse_alike_in_any_reads(
        commands in vec(command(), 1..4),
        mutations in vec(mutation(), 1..4),
        picks in vec(any::<usize>(), 0..8),
    ) {
        let mut bytes: Vec<u8> = commands.iter().flat_map(|args| encode(args)).collect();
        for mutation in &mutations {
            mutate(&mut bytes, mutation);
        }
        let whole = parse_in_reads(&bytes, &[]);
        prop_assert_eq!(parse_in_reads(&bytes, &cuts(bytes.len(), &picks)), whole);
    }
}
