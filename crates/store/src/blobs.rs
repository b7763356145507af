//! Attachment bytes on local disk, stored under their SHA-256 so the same photo is kept once and a file's name
//! proves its content. Rows in `attachments` point here by hash.
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct BlobStore {
    dir: PathBuf,
}

impl BlobStore {
    pub fn local(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    fn path(&self, sha256: &str) -> PathBuf {
        let (a, b) = sha256.split_at(2.min(sha256.len()));
        self.dir.join(a).join(b)
    }

    /// Write `bytes` under `sha256` unless already there. Written to a temporary name first, then renamed, so a
    /// crash never leaves half a file under a real name.
    pub async fn put(&self, sha256: &str, bytes: &[u8]) -> std::io::Result<()> {
        let path = self.path(sha256);
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Ok(());
        }
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        let tmp = path.with_extension("part");
        tokio::fs::write(&tmp, bytes).await?;
        tokio::fs::rename(&tmp, &path).await
    }

    pub async fn get(&self, sha256: &str) -> std::io::Result<Vec<u8>> {
        tokio::fs::read(self.path(sha256)).await
    }
}
