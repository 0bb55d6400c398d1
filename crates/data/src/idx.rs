//! MNIST in its original IDX files (gzipped), with its original 60k/10k
//! split, pixels scaled to [0, 1], and optional average pooling of the
//! images (e.g. 2×2 → 14×14) as a documented preprocessing step: a MILP has
//! a weight column per input per neuron, so 196 inputs instead of 784 make
//! a first layer four times smaller.
//!
//! IDX: a big-endian header (two zero bytes, a type byte — 0x08 for
//! unsigned bytes — and the number of dimensions), one u32 per dimension,
//! then the values. Images are `n × rows × cols`, labels `n`.
//!
//! MNIST is not embedded in the binary (11 MB): it is read from a data
//! directory, `data/mnist` of this repository by default.

use crate::{DataError, Dataset};
use flate2::read::GzDecoder;
use std::io::Read;
use std::path::{Path, PathBuf};

fn malformed(path: &Path, message: String) -> DataError {
    DataError::Idx {
        path: path.into(),
        message,
    }
}

/// The dimensions and bytes of one IDX file of unsigned bytes.
pub fn read_idx(path: &Path) -> Result<(Vec<usize>, Vec<u8>), DataError> {
    let file = std::fs::File::open(path).map_err(|reason| DataError::Io {
        path: path.into(),
        reason,
    })?;
    let mut bytes = Vec::new();
    let gz = path.extension().is_some_and(|e| e == "gz");
    let read = if gz {
        GzDecoder::new(file).read_to_end(&mut bytes)
    } else {
        std::io::BufReader::new(file).read_to_end(&mut bytes)
    };
    read.map_err(|reason| DataError::Io {
        path: path.into(),
        reason,
    })?;
    if bytes.len() < 4 || bytes[0] != 0 || bytes[1] != 0 {
        return Err(malformed(path, "not an IDX file (bad magic number)".into()));
    }
    if bytes[2] != 0x08 {
        return Err(malformed(
            path,
            format!("IDX type 0x{:02x}; mipnet reads unsigned bytes (0x08)", bytes[2]),
        ));
    }
    let ndim = bytes[3] as usize;
    let header = 4 + 4 * ndim;
    if ndim == 0 || bytes.len() < header {
        return Err(malformed(path, format!("truncated IDX header ({ndim} dimensions)")));
    }
    let dims: Vec<usize> = (0..ndim)
        .map(|i| u32::from_be_bytes(bytes[4 + 4 * i..8 + 4 * i].try_into().expect("4 bytes")) as usize)
        .collect();
    let count: usize = dims.iter().product();
    if bytes.len() - header != count {
        return Err(malformed(
            path,
            format!(
                "dimensions {dims:?} need {count} values, the file has {}",
                bytes.len() - header
            ),
        ));
    }
    Ok((dims, bytes[header..].to_vec()))
}

/// Images and labels as a dataset: pixels / 255, averaged over
/// `pool × pool` blocks (pool 1 keeps 28×28; 28 must be divisible by it).
pub fn idx_dataset(images: &Path, labels: &Path, pool: usize, name: &str) -> Result<Dataset, DataError> {
    let (dims, pixels) = read_idx(images)?;
    let (ldims, ys) = read_idx(labels)?;
    let [n, rows, cols] = dims[..] else {
        return Err(malformed(images, format!("images need 3 dimensions, found {dims:?}")));
    };
    if ldims != [n] {
        return Err(malformed(
            labels,
            format!("{ldims:?} labels for {n} images in {}", images.display()),
        ));
    }
    if pool == 0 || rows % pool != 0 || cols % pool != 0 {
        return Err(DataError::Invalid(format!(
            "pooling {pool}×{pool} does not divide the {rows}×{cols} images (use 1, 2, 4, 7, 14 or 28)"
        )));
    }
    let (r2, c2) = (rows / pool, cols / pool);
    let scale = 1.0 / (255.0 * (pool * pool) as f64);
    let mut x = Vec::with_capacity(n * r2 * c2);
    for img in pixels.chunks_exact(rows * cols) {
        for r in 0..r2 {
            for c in 0..c2 {
                let mut sum = 0u32;
                for dr in 0..pool {
                    for dc in 0..pool {
                        sum += img[(r * pool + dr) * cols + c * pool + dc] as u32;
                    }
                }
                x.push(sum as f64 * scale);
            }
        }
    }
    let classes = ys.iter().copied().max().map_or(0, |m| m as usize + 1);
    if classes > 10 {
        return Err(malformed(labels, format!("label {} above 9", classes - 1)));
    }
    let feature_names = (0..r2)
        .flat_map(|r| (0..c2).map(move |c| format!("px_{r}_{c}")))
        .collect();
    let class_names = (0..10).map(|k| k.to_string()).collect();
    Ok(Dataset::new(
        name,
        feature_names,
        class_names,
        x,
        ys.iter().map(|&y| y as usize).collect(),
    ))
}

/// Where MNIST is read from: `MIPNET_DATA_DIR/mnist` when that variable is
/// set, else this repository's `data/mnist`.
pub fn mnist_dir() -> PathBuf {
    match std::env::var_os("MIPNET_DATA_DIR") {
        Some(d) => PathBuf::from(d).join("mnist"),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/mnist")),
    }
}

/// MNIST's original split: (60,000 training images, 10,000 test images).
pub fn load_mnist(dir: &Path, pool: usize) -> Result<(Dataset, Dataset), DataError> {
    let train = idx_dataset(
        &dir.join("train-images-idx3-ubyte.gz"),
        &dir.join("train-labels-idx1-ubyte.gz"),
        pool,
        "mnist",
    )?;
    let test = idx_dataset(
        &dir.join("t10k-images-idx3-ubyte.gz"),
        &dir.join("t10k-labels-idx1-ubyte.gz"),
        pool,
        "mnist-test",
    )?;
    Ok((train, test))
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{write::GzEncoder, Compression};
    use std::io::Write;

    fn write_idx(path: &Path, dims: &[u32], values: &[u8], gz: bool) {
        let mut bytes = vec![0, 0, 8, dims.len() as u8];
        for d in dims {
            bytes.extend_from_slice(&d.to_be_bytes());
        }
        bytes.extend_from_slice(values);
        if gz {
            let mut e = GzEncoder::new(Vec::new(), Compression::fast());
            e.write_all(&bytes).unwrap();
            bytes = e.finish().unwrap();
        }
        std::fs::write(path, bytes).unwrap();
    }

    #[test]
    fn images_are_scaled_pooled_and_labelled() {
        let dir = tempfile::tempdir().unwrap();
        let img = dir.path().join("i.gz");
        let lab = dir.path().join("l");
        // Two 4×4 images: 0..16 and all 255.
        let mut px: Vec<u8> = (0..16).collect();
        px.extend([255u8; 16]);
        write_idx(&img, &[2, 4, 4], &px, true);
        write_idx(&lab, &[2], &[3, 7], false);
        let d = idx_dataset(&img, &lab, 1, "t").unwrap();
        assert_eq!((d.len(), d.num_features()), (2, 16));
        assert_eq!(d.row(0)[5], 5.0 / 255.0);
        assert_eq!((d.label(0), d.label(1)), (3, 7));
        assert_eq!(d.feature_names[5], "px_1_1");
        let p = idx_dataset(&img, &lab, 2, "t").unwrap();
        assert_eq!(p.num_features(), 4);
        // Top-left block: pixels 0, 1, 4, 5.
        assert!((p.row(0)[0] - 10.0 / (4.0 * 255.0)).abs() < 1e-15);
        assert_eq!(p.row(1), &[1.0; 4]);
        let err = idx_dataset(&img, &lab, 3, "t").unwrap_err().to_string();
        assert!(err.contains("pooling 3×3 does not divide the 4×4 images"), "{err}");
    }

    #[test]
    fn malformed_files_are_refused_with_the_cause() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad");
        std::fs::write(&p, b"PK\x03\x04").unwrap();
        assert!(read_idx(&p).unwrap_err().to_string().contains("not an IDX file"));
        write_idx(&p, &[2, 2, 2], &[1, 2, 3], false);
        let e = read_idx(&p).unwrap_err().to_string();
        assert!(e.contains("need 8 values, the file has 3"), "{e}");
        let img = dir.path().join("i");
        let lab = dir.path().join("l");
        write_idx(&img, &[2, 2, 2], &[0; 8], false);
        write_idx(&lab, &[3], &[0, 1, 2], false);
        let e = idx_dataset(&img, &lab, 1, "t").unwrap_err().to_string();
        assert!(e.contains("[3] labels for 2 images"), "{e}");
        let missing = dir.path().join("none.gz");
        assert!(read_idx(&missing).unwrap_err().to_string().starts_with("cannot read"));
    }

    #[test]
    fn the_bundled_mnist_has_its_original_split() {
        let dir = mnist_dir();
        if !dir.join("train-images-idx3-ubyte.gz").exists() {
            panic!("MNIST missing from {}", dir.display());
        }
        let (train, test) = load_mnist(&dir, 2).unwrap();
        assert_eq!((train.len(), test.len()), (60_000, 10_000));
        assert_eq!(train.num_features(), 196);
        // Known label counts of the original files.
        let count = |d: &Dataset, k: usize| (0..d.len()).filter(|&i| d.label(i) == k).count();
        assert_eq!(count(&train, 1), 6742);
        assert_eq!(count(&test, 5), 892);
        assert!(train.row(0).iter().all(|v| (0.0..=1.0).contains(v)));
    }
}
