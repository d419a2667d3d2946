//! `trace`: the server answers, upper-cased, with the loop trace on.

use std::io::{BufRead, BufReader, Write};

use crate::support::Server;

#[test]
fn trace_answers_each_line_upper_cased() {
    let server = Server::start("trace", &[]);
    let mut stream = server.connect();
    let mut lines = BufReader::new(stream.try_clone().unwrap());
    for (line, answer) in [("hello\n", "HELLO\n"), ("bye\n", "BYE\n")] {
        stream.write_all(line.as_bytes()).unwrap();
        let mut got = String::new();
        lines.read_line(&mut got).expect("an answer");
        assert_eq!(got, answer);
    }
}
