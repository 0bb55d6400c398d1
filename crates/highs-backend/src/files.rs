//! MPS and LP files through HiGHS's own reader and writer. HiGHS's readers
//! are lenient (its MPS reader reads `abc` as 0 and skips a misspelled
//! section), so [`read_model`] first reads the file with mipnet's strict
//! readers (`mipnet_milp::files`), which refuse anything malformed or
//! ambiguous with the line and the cause, and after HiGHS has read it
//! refuses any difference between the two models: the model solved is
//! exactly the model in the file.

use crate::instance::{CallbackState, HInt, Instance};
use highs_sys as hs;
use mipnet_milp::{Col, Model, Row, Sense, VarType};
use std::ffi::{CStr, CString};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// HiGHS's longest name, terminating NUL included (`kHighsMaximumStringLength`).
const NAME_BUFFER: usize = 512;

/// Why a model file could not be read or written.
#[derive(Debug, Error)]
pub enum FileError {
    #[error("cannot read {path}: {reason}")]
    Io { path: PathBuf, reason: std::io::Error },
    #[error("{path}: unknown model file type (expected .mps or .lp)")]
    UnknownType { path: PathBuf },
    #[error("{path}: not a valid model file: {message}")]
    Malformed { path: PathBuf, message: String },
    #[error("{path}: not a valid model file: {source}")]
    Strict {
        path: PathBuf,
        source: mipnet_milp::files::FileError,
    },
    #[error("{path}: quadratic objectives are not supported (mipnet solves MILPs)")]
    Quadratic { path: PathBuf },
    #[error("cannot write {path}: {message}")]
    Write { path: PathBuf, message: String },
    /// The solver's error (itself "invalid model: …") is the message, not a
    /// source: chained error printing (`{:#}`) would otherwise say it twice.
    #[error("{0}")]
    Model(mipnet_solver::SolverError),
}

impl From<mipnet_solver::SolverError> for FileError {
    fn from(e: mipnet_solver::SolverError) -> Self {
        FileError::Model(e)
    }
}

fn has_model_extension(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.ends_with(".mps") || name.ends_with(".lp")
}

/// What HiGHS logged as warnings and errors, in one line: the first
/// message, and the place in the file where HiGHS names one. The LP reader
/// prints source excerpts (`|`-prefixed lines and `-->` locations); those
/// become "line L, column C".
fn summarize(problems: &[String]) -> String {
    let mut message: Option<String> = None;
    let mut location: Option<String> = None;
    for line in problems.iter().flat_map(|p| p.lines()) {
        let line = line.trim_start_matches("ERROR:").trim_start_matches("WARNING:").trim();
        if let Some(loc) = line.strip_prefix("-->") {
            let mut parts = loc.trim().rsplitn(3, ':');
            if let (Some(col), Some(row)) = (parts.next(), parts.next()) {
                location.get_or_insert(format!("line {row}, column {col}"));
            }
        } else if line.is_empty()
            || line.starts_with('|')
            || line.starts_with('=')
            || line
                .split_once('|')
                .is_some_and(|(n, _)| n.trim().parse::<u64>().is_ok())
            || line.starts_with("Parser error reading")
        {
            continue;
        } else if message.is_none() {
            message = Some(line.to_string());
        }
    }
    let message = message.unwrap_or_else(|| "HiGHS's reader rejected it".into());
    match location {
        Some(loc) => format!("{message} ({loc})"),
        None => message,
    }
}

/// Reads an MPS or LP file into a [`Model`]: with mipnet's strict reader
/// and with HiGHS's, refusing the file if either refuses it or if they read
/// different models.
pub fn read_model(path: &Path) -> Result<Model, FileError> {
    check_path(path)?;
    let bytes = std::fs::read(path).map_err(|reason| FileError::Io {
        path: path.into(),
        reason,
    })?;
    let strict = |source| FileError::Strict {
        path: path.into(),
        source,
    };
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count();
        strict(mipnet_milp::files::FileError::Syntax {
            line,
            message: "not UTF-8 text".into(),
        })
    })?;
    let described = if is_lp(path) {
        mipnet_milp::files::check_lp(text)
    } else {
        mipnet_milp::files::check_mps(text)
    }
    .map_err(strict)?;
    let read = read_model_with_highs(path)?;
    mipnet_milp::files::compare(&described, &read).map_err(strict)?;
    Ok(read)
}

fn is_lp(path: &Path) -> bool {
    path.to_string_lossy().to_ascii_lowercase().ends_with(".lp")
}

/// The file exists, is not a directory and has a model file's extension.
fn check_path(path: &Path) -> Result<(), FileError> {
    // Opening it first gives the OS's reason (missing, a directory, no rights).
    let meta = std::fs::metadata(path).map_err(|reason| FileError::Io {
        path: path.into(),
        reason,
    })?;
    if meta.is_dir() {
        return Err(FileError::Io {
            path: path.into(),
            reason: std::io::Error::other("is a directory"),
        });
    }
    if !has_model_extension(path) {
        return Err(FileError::UnknownType { path: path.into() });
    }
    Ok(())
}

/// Reads an MPS or LP file with HiGHS's reader alone, as lenient as it is.
/// For comparing HiGHS's reading with the strict one (tests, fuzzing);
/// [`read_model`] is the reader to use.
pub fn read_model_with_highs(path: &Path) -> Result<Model, FileError> {
    check_path(path)?;
    let cpath =
        CString::new(path.to_string_lossy().as_bytes()).map_err(|_| FileError::UnknownType { path: path.into() })?;
    let inst = Instance::new();
    let mut state = CallbackState::new(false);
    inst.install_callback(&mut state, false);
    // SAFETY: valid instance and NUL-terminated path.
    let status = unsafe { hs::Highs_readModel(inst.ptr(), cpath.as_ptr()) };
    inst.remove_callback();
    if status == hs::kHighsStatusError as HInt {
        return Err(FileError::Malformed {
            path: path.into(),
            message: summarize(&state.problems),
        });
    }
    extract(&inst, path)
}

/// Copies the model held by `inst` into a [`Model`], names included.
fn extract(inst: &Instance, path: &Path) -> Result<Model, FileError> {
    let p = inst.ptr();
    // SAFETY: valid instance; every array below is sized from these counts.
    let (num_col, num_row, num_nz, q_nz) = unsafe {
        (
            hs::Highs_getNumCol(p) as usize,
            hs::Highs_getNumRow(p) as usize,
            hs::Highs_getNumNz(p) as usize,
            hs::Highs_getHessianNumNz(p) as usize,
        )
    };
    if q_nz > 0 {
        return Err(FileError::Quadratic { path: path.into() });
    }
    let mut cost = vec![0.0; num_col];
    let mut col_lower = vec![0.0; num_col];
    let mut col_upper = vec![0.0; num_col];
    let mut row_lower = vec![0.0; num_row];
    let mut row_upper = vec![0.0; num_row];
    let mut a_start: Vec<HInt> = vec![0; num_row + 1];
    let mut a_index: Vec<HInt> = vec![0; num_nz];
    let mut a_value = vec![0.0; num_nz];
    let mut integrality: Vec<HInt> = vec![0; num_col];
    let (mut nc, mut nr, mut nz, mut qn, mut sense) = (0, 0, 0, 0, 0);
    let mut offset = 0.0;
    // SAFETY: arrays sized by the counts read above; no Hessian (q_nz = 0).
    let status = unsafe {
        hs::Highs_getModel(
            p,
            hs::kHighsMatrixFormatRowwise as HInt,
            0,
            &mut nc,
            &mut nr,
            &mut nz,
            &mut qn,
            &mut sense,
            &mut offset,
            cost.as_mut_ptr(),
            col_lower.as_mut_ptr(),
            col_upper.as_mut_ptr(),
            row_lower.as_mut_ptr(),
            row_upper.as_mut_ptr(),
            a_start.as_mut_ptr(),
            a_index.as_mut_ptr(),
            a_value.as_mut_ptr(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            integrality.as_mut_ptr(),
        )
    };
    if status == hs::kHighsStatusError as HInt {
        return Err(FileError::Malformed {
            path: path.into(),
            message: "HiGHS could not hand back the model it read".into(),
        });
    }
    a_start[num_row] = num_nz as HInt;
    let col_type = (0..num_col)
        .map(|j| {
            if integrality[j] == hs::kHighsVarTypeContinuous as HInt {
                VarType::Continuous
            } else if col_lower[j] >= 0.0 && col_upper[j] <= 1.0 {
                VarType::Binary
            } else {
                VarType::Integer
            }
        })
        .collect();
    let sense = if sense == hs::kHighsObjSenseMaximize as HInt {
        Sense::Maximize
    } else {
        Sense::Minimize
    };
    let mut model = Model::from_csr(
        sense,
        offset,
        col_lower,
        col_upper,
        cost,
        col_type,
        row_lower,
        row_upper,
        a_start.iter().map(|&s| s as usize).collect(),
        a_index.iter().map(|&j| j as u32).collect(),
        a_value,
    );
    let mut buf = vec![0 as std::ffi::c_char; NAME_BUFFER];
    for j in 0..num_col {
        // SAFETY: j < num_col, buffer of HiGHS's maximum name length.
        if unsafe { hs::Highs_getColName(p, j as HInt, buf.as_mut_ptr()) } == hs::kHighsStatusOk as HInt {
            // SAFETY: HiGHS wrote a NUL-terminated string into `buf`.
            let name = unsafe { CStr::from_ptr(buf.as_ptr()) }.to_string_lossy().into_owned();
            model.set_col_name(Col::from_index(j), name);
        }
    }
    for i in 0..num_row {
        // SAFETY: as above, for rows.
        if unsafe { hs::Highs_getRowName(p, i as HInt, buf.as_mut_ptr()) } == hs::kHighsStatusOk as HInt {
            // SAFETY: as above.
            let name = unsafe { CStr::from_ptr(buf.as_ptr()) }.to_string_lossy().into_owned();
            model.set_row_name(Row::from_index(i), name);
        }
    }
    Ok(model)
}

/// Writes a model as MPS or LP (chosen by the extension) with HiGHS's
/// writer. The file appears whole or not at all: it is written beside the
/// target under a temporary name and renamed.
pub fn write_model(model: &Model, path: &Path) -> Result<(), FileError> {
    if !has_model_extension(path) {
        return Err(FileError::UnknownType { path: path.into() });
    }
    let ext = if path.to_string_lossy().to_ascii_lowercase().ends_with(".lp") {
        "lp"
    } else {
        "mps"
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{file_name}.{}.tmp.{ext}", std::process::id()));
    let inst = Instance::new();
    let mut state = CallbackState::new(false);
    inst.install_callback(&mut state, false);
    let written = (|| {
        inst.pass_model(model)?;
        inst.pass_names(model)?;
        let ctmp = CString::new(tmp.to_string_lossy().as_bytes()).map_err(|_| FileError::Write {
            path: path.into(),
            message: "path contains a NUL byte".into(),
        })?;
        // SAFETY: valid instance and NUL-terminated path.
        let status = unsafe { hs::Highs_writeModel(inst.ptr(), ctmp.as_ptr()) };
        if status == hs::kHighsStatusError as HInt || !tmp.exists() {
            return Err(FileError::Write {
                path: path.into(),
                message: summarize(&state.problems),
            });
        }
        Ok(())
    })();
    inst.remove_callback();
    let result = written.and_then(|()| {
        std::fs::rename(&tmp, path).map_err(|e| FileError::Write {
            path: path.into(),
            message: e.to_string(),
        })
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
