//! Reading the files a user names (certificates, keys, CA bundles) without trusting their size:
//! a path to `/dev/zero`, a FIFO or a huge log must give an error, never exhaust memory.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// The largest PEM file read: a CA bundle of every public root is about 250 KB.
pub const MAX_PEM_BYTES: u64 = 4 << 20;

/// The contents of the regular file at `path`, refused when it is not a regular file or holds
/// more than `limit` bytes.
pub fn read_bounded(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = File::open(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    let too_large = || {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than the {limit}-byte limit"),
        )
    };
    if metadata.len() > limit {
        return Err(too_large());
    }
    // The file may grow between the check and the read: read one byte past the limit to tell.
    let mut contents = Vec::with_capacity(metadata.len() as usize);
    file.take(limit + 1).read_to_end(&mut contents)?;
    if contents.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_directories_and_large_files_are_refused() {
        for path in ["/dev/zero", "/dev/null", "/"] {
            let error = read_bounded(Path::new(path), 1024).unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::InvalidInput, "{path}");
        }
        let dir = std::env::temp_dir().join(format!("pe-bounded-{}", std::process::id()));
        std::fs::write(&dir, vec![b'a'; 2048]).unwrap();
        assert_eq!(
            read_bounded(&dir, 1024).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
        assert_eq!(read_bounded(&dir, 2048).unwrap().len(), 2048);
        std::fs::remove_file(&dir).unwrap();
    }
}
