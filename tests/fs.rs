//! `evloop::fs` on real files, each test in its own temporary directory.

use std::future::poll_fn;
use std::io::{self, ErrorKind, SeekFrom};
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};

use evloop::fs::{self, File, OpenOptions};
use evloop::io::{AsyncReadExt, AsyncSeek, AsyncWriteExt};

/// A directory of its own for one test, removed when the test ends (even by a panic).
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "evloop-fs-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `len` bytes that differ from their neighbours, so an offset mistake shows.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

/// `AsyncSeek::poll_seek` as a future.
async fn seek(file: &mut File, pos: SeekFrom) -> io::Result<u64> {
    poll_fn(|cx| Pin::new(&mut *file).poll_seek(cx, pos)).await
}

#[track_caller]
fn assert_not_found<T: std::fmt::Debug>(result: io::Result<T>) {
    assert_eq!(result.unwrap_err().kind(), ErrorKind::NotFound);
}

#[test]
fn write_then_read_and_read_to_string_round_trip() -> io::Result<()> {
    let dir = TempDir::new();
    evloop::block_on(async {
        let path = dir.join("hello.txt");
        fs::write(&path, "hello, disk").await?;
        assert_eq!(fs::read(&path).await?, b"hello, disk");
        assert_eq!(fs::read_to_string(&path).await?, "hello, disk");
        fs::write(&path, [0xff, 0xfe]).await?;
        assert_eq!(
            fs::read_to_string(&path).await.unwrap_err().kind(),
            ErrorKind::InvalidData
        );
        Ok(())
    })
}

#[test]
fn read_dir_lists_every_entry_across_batches() -> io::Result<()> {
    const FILES: usize = 70; // more than two batches of 32
    let dir = TempDir::new();
    evloop::block_on(async {
        let listed = dir.join("listed");
        fs::create_dir_all(listed.join("sub/deeper")).await?;
        let mut expected = vec!["sub".to_owned()];
        for i in 0..FILES {
            let name = format!("file-{i:03}");
            fs::write(listed.join(&name), &name).await?;
            expected.push(name);
        }

        let mut entries = fs::read_dir(&listed).await?;
        let mut names = Vec::new();
        while let Some(entry) = entries.next_entry().await? {
            let name = entry.file_name().into_string().unwrap();
            assert_eq!(entry.path(), listed.join(&name));
            let file_type = entry.file_type().await?;
            if name == "sub" {
                assert!(file_type.is_dir());
            } else {
                assert!(file_type.is_file());
                assert_eq!(entry.metadata().await?.len(), name.len() as u64);
            }
            names.push(name);
        }
        assert!(
            entries.next_entry().await?.is_none(),
            "the end stays the end"
        );
        names.sort();
        expected.sort();
        assert_eq!(names.len(), FILES + 1);
        assert_eq!(names, expected);
        Ok(())
    })
}

#[test]
fn rename_copy_metadata_and_removal() -> io::Result<()> {
    let dir = TempDir::new();
    evloop::block_on(async {
        let (a, b, c) = (dir.join("a"), dir.join("b"), dir.join("c"));
        fs::write(&a, pattern(1000)).await?;
        fs::rename(&a, &b).await?;
        assert_not_found(fs::metadata(&a).await);
        assert_eq!(fs::copy(&b, &c).await?, 1000);
        assert_eq!(fs::metadata(&c).await?.len(), 1000);
        assert_eq!(fs::read(&c).await?, pattern(1000));
        assert!(fs::symlink_metadata(&c).await?.is_file());
        assert_eq!(fs::canonicalize(&c).await?, std::fs::canonicalize(&c)?);
        fs::remove_file(&b).await?;
        assert_not_found(fs::metadata(&b).await);

        let empty = dir.join("empty");
        fs::create_dir(&empty).await?;
        assert_eq!(
            fs::create_dir(&empty).await.unwrap_err().kind(),
            ErrorKind::AlreadyExists
        );
        fs::remove_dir(&empty).await?;
        assert_not_found(fs::metadata(&empty).await);

        let tree = dir.join("tree");
        fs::create_dir_all(tree.join("x/y/z")).await?;
        fs::write(tree.join("x/y/z/leaf"), "leaf").await?;
        assert!(fs::metadata(tree.join("x/y")).await?.is_dir());
        fs::remove_dir_all(&tree).await?;
        assert_not_found(fs::metadata(&tree).await);
        Ok(())
    })
}

#[test]
fn a_missing_file_is_not_found_everywhere() {
    let dir = TempDir::new();
    evloop::block_on(async {
        let missing = dir.join("missing");
        assert_not_found(fs::read(&missing).await);
        assert_not_found(fs::read_to_string(&missing).await);
        assert_not_found(fs::metadata(&missing).await);
        assert_not_found(File::open(&missing).await);
        assert_not_found(fs::remove_file(&missing).await);
        assert_not_found(fs::read_dir(&missing).await);
        assert_not_found(fs::write(missing.join("inside"), "x").await);
    });
}

#[test]
fn chunked_writes_read_back_whole() -> io::Result<()> {
    let dir = TempDir::new();
    evloop::block_on(async {
        let path = dir.join("chunks");
        let data = pattern(3 * 1024 * 1024 + 12_345); // bigger than one job's 2 MiB
        let mut file = File::create(&path).await?;
        for chunk in data.chunks(100_003) {
            file.write_all(chunk).await?;
        }
        file.write_all(&data[..0]).await?;
        file.flush().await?;
        drop(file);

        let mut back = Vec::new();
        File::open(&path).await?.read_to_end(&mut back).await?;
        assert_eq!(back.len(), data.len());
        assert!(back == data);
        Ok(())
    })
}

#[test]
fn small_reads_are_served_from_read_ahead() -> io::Result<()> {
    let dir = TempDir::new();
    evloop::block_on(async {
        let path = dir.join("small-reads");
        let data = pattern(100_000);
        fs::write(&path, &data).await?;
        let mut file = File::open(&path).await?;
        let mut back = Vec::new();
        let mut buf = [0; 7];
        loop {
            match file.read(&mut buf).await? {
                0 => break,
                n => back.extend_from_slice(&buf[..n]),
            }
        }
        assert!(back == data);
        assert_eq!(file.read(&mut buf).await?, 0, "end of file stays the end");
        Ok(())
    })
}

#[test]
fn seeks_land_on_the_right_bytes() -> io::Result<()> {
    let dir = TempDir::new();
    evloop::block_on(async {
        let path = dir.join("seek");
        let data = pattern(50_000);
        fs::write(&path, &data).await?;
        let mut file = File::open(&path).await?;
        let mut buf = [0; 10];

        // After a 10-byte read, the rest of a 16 KiB read-ahead is buffered: Current
        // must count from where the reader is, not from the OS position.
        file.read_exact(&mut buf).await?;
        assert_eq!(seek(&mut file, SeekFrom::Current(5)).await?, 15);
        file.read_exact(&mut buf).await?;
        assert_eq!(buf, data[15..25]);
        assert_eq!(seek(&mut file, SeekFrom::Current(0)).await?, 25);

        assert_eq!(seek(&mut file, SeekFrom::Start(30_000)).await?, 30_000);
        file.read_exact(&mut buf).await?;
        assert_eq!(buf, data[30_000..30_010]);

        assert_eq!(seek(&mut file, SeekFrom::End(-3)).await?, 49_997);
        let mut tail = Vec::new();
        file.read_to_end(&mut tail).await?;
        assert_eq!(tail, data[49_997..]);

        assert_eq!(seek(&mut file, SeekFrom::Current(-20)).await?, 49_980);
        file.read_exact(&mut buf).await?;
        assert_eq!(buf, data[49_980..49_990]);

        let error = seek(&mut file, SeekFrom::Current(-1_000_000))
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        Ok(())
    })
}

#[test]
fn a_write_after_a_partial_read_lands_where_the_reader_is() -> io::Result<()> {
    let dir = TempDir::new();
    evloop::block_on(async {
        let path = dir.join("read-then-write");
        fs::write(&path, "0123456789").await?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .await?;
        let mut buf = [0; 4];
        file.read_exact(&mut buf).await?;
        file.write_all(b"ab").await?;
        file.read_exact(&mut buf[..2]).await?;
        assert_eq!(&buf[..2], b"67");
        file.flush().await?;
        assert_eq!(fs::read_to_string(&path).await?, "0123ab6789");
        Ok(())
    })
}

#[test]
fn into_std_gives_back_unread_read_ahead() -> io::Result<()> {
    use std::io::{Read, Seek};
    let dir = TempDir::new();
    evloop::block_on(async {
        let path = dir.join("into-std");
        fs::write(&path, pattern(1000)).await?;
        let mut file = File::open(&path).await?;
        let mut buf = [0; 10];
        file.read_exact(&mut buf).await?;
        let mut std = file.into_std().await?;
        assert_eq!(std.stream_position()?, 10);
        let mut rest = Vec::new();
        std.read_to_end(&mut rest)?;
        assert_eq!(rest, pattern(1000)[10..]);
        Ok(())
    })
}

#[test]
fn append_create_new_and_std_options() -> io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let dir = TempDir::new();
    evloop::block_on(async {
        let path = dir.join("log");
        fs::write(&path, "first\n").await?;
        let mut log = File::options().append(true).open(&path).await?;
        log.write_all(b"second\n").await?;
        log.write_all(b"third\n").await?;
        log.close().await?;
        assert_eq!(fs::read_to_string(&path).await?, "first\nsecond\nthird\n");

        let fresh = dir.join("fresh");
        let mut created = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&fresh)
            .await?;
        created.write_all(b"new").await?;
        created.flush().await?;
        let again = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&fresh)
            .await;
        assert_eq!(again.unwrap_err().kind(), ErrorKind::AlreadyExists);

        // Unix options set on a std `OpenOptions` carry over.
        let private = dir.join("private");
        let mut std_options = std::fs::OpenOptions::new();
        std_options.write(true).create(true).mode(0o600);
        OpenOptions::from(std_options).open(&private).await?;
        let mode = fs::metadata(&private).await?.permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        Ok(())
    })
}

#[test]
fn a_failed_write_behind_is_reported_not_panicked() -> io::Result<()> {
    let dir = TempDir::new();
    evloop::block_on(async {
        let path = dir.join("read-only");
        fs::write(&path, "unchanged").await?;
        let mut file = File::open(&path).await?;
        // The write is accepted at once (write-behind); its failure shows on flush.
        let outcome = match file.write_all(b"nope").await {
            Ok(()) => file.flush().await,
            Err(error) => Err(error),
        };
        assert!(outcome.is_err(), "writing a read-only file must fail");
        // The error was reported once; the file still reads.
        let mut text = String::new();
        file.read_to_string(&mut text).await?;
        assert_eq!(text, "unchanged");
        Ok(())
    })
}

#[test]
fn set_len_metadata_and_sync() -> io::Result<()> {
    let dir = TempDir::new();
    evloop::block_on(async {
        let path = dir.join("sized");
        let mut file = File::create(&path).await?;
        file.write_all(&pattern(100)).await?;
        // metadata waits for the pending write.
        assert_eq!(file.metadata().await?.len(), 100);
        file.set_len(10).await?;
        assert_eq!(file.metadata().await?.len(), 10);
        file.set_len(4096).await?;
        file.sync_all().await?;
        file.sync_data().await?;
        assert_eq!(fs::metadata(&path).await?.len(), 4096);
        Ok(())
    })
}

#[test]
fn dropping_a_read_midway_loses_no_bytes() -> io::Result<()> {
    let dir = TempDir::new();
    evloop::block_on(async {
        let path = dir.join("cancelled");
        let data = pattern(40_000);
        fs::write(&path, &data).await?;
        let mut file = File::open(&path).await?;
        let mut buf = [0; 100];
        // Poll a read once (it starts a job and is pending), then drop it.
        let mut read = Box::pin(file.read(&mut buf));
        poll_fn(|cx| {
            assert!(read.as_mut().poll(cx).is_pending());
            std::task::Poll::Ready(())
        })
        .await;
        drop(read);
        let mut back = Vec::new();
        file.read_to_end(&mut back).await?;
        assert!(back == data);
        Ok(())
    })
}
