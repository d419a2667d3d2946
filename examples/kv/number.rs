//! Numbers sent by clients, read strictly: a length, a count, a number of seconds.
//! Each is checked for its form (no sign where none belongs, no spaces, no leading
//! zeros, as Redis's `string2ll`) and for overflow, so that no client-supplied
//! number can panic the server or wrap around.

/// A length as RESP writes it: decimal digits only, without a sign or a leading
/// zero, that fits a `usize`. `+4`, ` 4`, `04` and `-1` are not lengths.
pub fn parse_length(digits: &[u8]) -> Option<usize> {
    if digits.len() > 1 && digits[0] == b'0' {
        return None;
    }
    let first = digits.first()?;
    if !first.is_ascii_digit() {
        return None;
    }
    digits.iter().try_fold(0usize, |n, &digit| {
        if !digit.is_ascii_digit() {
            return None;
        }
        n.checked_mul(10)?.checked_add(usize::from(digit - b'0'))
    })
}

/// A signed decimal number as Redis reads one (`INCR`, `EX`): an optional `-`, then
/// digits without a leading zero; no `+`, no spaces, no overflow.
pub fn parse_i64(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', digits)) => (true, digits),
        _ => (false, text),
    };
    let magnitude = u64::try_from(parse_length(digits)?).ok()?;
    if negative {
        if magnitude == 0 {
            return None;
        }
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_strict() {
        assert_eq!(parse_i64(b"42"), Some(42));
        assert_eq!(parse_i64(b"-42"), Some(-42));
        assert_eq!(parse_i64(b"0"), Some(0));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [
            &b""[..],
            b"-",
            b"+1",
            b" 1",
            b"1 ",
            b"01",
            b"-0",
            b"1e3",
            b"9223372036854775808",
            b"-9223372036854775809",
        ] {
            assert_eq!(parse_i64(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn lengths_are_plain_digits() {
        assert_eq!(parse_length(b"0"), Some(0));
        assert_eq!(parse_length(b"1024"), Some(1024));
        for bad in [
            &b""[..],
            b"+4",
            b"-1",
            b"04",
            b" 4",
            b"4 ",
            b"18446744073709551616",
        ] {
            assert_eq!(
                parse_length(bad),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
