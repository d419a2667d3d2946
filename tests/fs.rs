//! `evloop::fs` on real files, each test in its own temporary directory.

use std::io::{self, ErrorKind};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use evloop::fs;

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
        fs::write(&a, b"0123456789".repeat(100)).await?;
        fs::rename(&a, &b).await?;
        assert_not_found(fs::metadata(&a).await);
        assert_eq!(fs::copy(&b, &c).await?, 1000);
        assert_eq!(fs::metadata(&c).await?.len(), 1000);
        assert_eq!(fs::read(&c).await?, b"0123456789".repeat(100));
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
        assert_not_found(fs::remove_file(&missing).await);
        assert_not_found(fs::read_dir(&missing).await);
        assert_not_found(fs::write(missing.join("inside"), "x").await);
    });
}
