//! A safe owner of one HiGHS instance (`Highs_create` … `Highs_destroy`).
//!
//! The safe `highs` crate builds models term by term and has no callbacks,
//! so mipnet talks to the C API of `highs-sys` directly, here and only here.
//! HiGHS's log is never printed to stdout (mipnet's `--json` owns stdout):
//! it goes through the logging callback, which keeps warnings and errors for
//! error messages and forwards everything to stderr when asked.

use highs_sys as hs;
use mipnet_milp::{Model, Sense, VarType};
use mipnet_solver::{Control, InterruptFlag, Observer, Progress, ProgressEvent, SolutionFeed, SolverError};
use std::cell::Cell;
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// HiGHS's `HighsInt` as compiled by highs-sys (32-bit).
pub(crate) type HInt = hs::HighsInt;

thread_local! {
    /// The `threads` option this OS thread's HiGHS scheduler was started
    /// with. HiGHS keeps one scheduler per thread and refuses a later run
    /// that asks for another thread count; see [`Instance::run`].
    static SCHEDULER_THREADS: Cell<Option<HInt>> = const { Cell::new(None) };
}

/// Seconds between progress reports while nothing improves.
const TICK_SECONDS: f64 = 0.5;

/// What the C callback reaches through its user-data pointer.
pub(crate) struct CallbackState<'a> {
    pub observer: Option<&'a mut dyn Observer>,
    /// Solutions found elsewhere, offered to a running MIP.
    pub feed: Option<&'a mut dyn SolutionFeed>,
    pub interrupt: Option<&'a InterruptFlag>,
    /// Forward HiGHS's log lines to stderr.
    pub echo_log: bool,
    /// Warning and error lines of the log, kept for error messages.
    pub problems: Vec<String>,
    last_tick: f64,
    /// Set when the observer asked to stop or a flag was raised.
    pub interrupted: bool,
    /// Columns of the model, for the feed's solutions.
    pub num_cols: usize,
    /// User solutions handed to HiGHS to check.
    pub user_solutions: usize,
}

impl<'a> CallbackState<'a> {
    pub fn new(echo_log: bool) -> Self {
        CallbackState {
            observer: None,
            feed: None,
            interrupt: None,
            echo_log,
            problems: Vec::new(),
            last_tick: f64::NEG_INFINITY,
            interrupted: false,
            num_cols: 0,
            user_solutions: 0,
        }
    }

    /// The feed's next solution, if it has one of the right length.
    fn user_solution(&mut self) -> Option<Vec<f64>> {
        let n = self.num_cols;
        let x = self.feed.as_deref_mut()?.next_solution()?;
        (x.len() == n && x.iter().all(|v| v.is_finite())).then_some(x)
    }

    fn report(&mut self, progress: Progress) {
        if let Some(obs) = self.observer.as_deref_mut() {
            if obs.on_progress(&progress) == Control::Interrupt {
                self.interrupted = true;
            }
        }
    }

    fn should_stop(&mut self) -> bool {
        if self.interrupt.is_some_and(|f| f.is_raised()) {
            self.interrupted = true;
        }
        self.interrupted
    }
}

fn finite(v: f64) -> Option<f64> {
    (v.is_finite() && v.abs() < 1e30).then_some(v)
}

fn progress_from(event: ProgressEvent, out: &hs::HighsCallbackDataOut) -> Progress {
    Progress {
        event,
        elapsed: out.running_time,
        primal_bound: finite(out.mip_primal_bound),
        dual_bound: finite(out.mip_dual_bound),
        gap: finite(out.mip_gap),
        nodes: out.mip_node_count.max(0) as u64,
    }
}

unsafe extern "C" fn callback(
    kind: c_int,
    message: *const c_char,
    out: *const hs::HighsCallbackDataOut,
    data_in: *mut hs::HighsCallbackDataIn,
    user: *mut c_void,
) {
    // A panic must not unwind into C++; a panicking observer stops the solve.
    let stop = catch_unwind(AssertUnwindSafe(|| {
        let state = &mut *(user as *mut CallbackState);
        let kind = kind as HInt;
        if kind == hs::kHighsCallbackLogging as HInt {
            if message.is_null() {
                return false;
            }
            let text = CStr::from_ptr(message).to_string_lossy();
            if state.echo_log {
                eprint!("{text}");
            }
            let log_type = if out.is_null() { 0 } else { (*out).log_type };
            // HighsLogType: 1 info, 2 detailed, 3 verbose, 4 warning, 5 error
            if log_type == 4 || log_type == 5 {
                state.problems.push(text.trim().to_string());
            }
            return false;
        }
        if kind == hs::kHighsCallbackCallbackMipUserSolution as HInt {
            // HiGHS asserts that this query does not interrupt: the next
            // interrupt callback stops the solve instead.
            if let Some(x) = state.user_solution() {
                if !data_in.is_null() {
                    let status = hs::Highs_setCallbackSolution(data_in, x.len() as HInt, x.as_ptr());
                    if status == hs::kHighsStatusOk as HInt {
                        // The values went straight into HiGHS's buffer, but
                        // HiGHS 1.16 copies the flag back from this C
                        // struct after the callback, so it must be set here.
                        (*data_in).user_has_solution = 1;
                        state.user_solutions += 1;
                    }
                }
            }
            return false;
        }
        if out.is_null() {
            return state.should_stop();
        }
        let out = &*out;
        if kind == hs::kHighsCallbackMipImprovingSolution as HInt {
            state.report(progress_from(ProgressEvent::Improvement, out));
        } else if (kind == hs::kHighsCallbackMipInterrupt as HInt || kind == hs::kHighsCallbackMipLogging as HInt)
            && out.running_time - state.last_tick >= TICK_SECONDS
        {
            state.last_tick = out.running_time;
            state.report(progress_from(ProgressEvent::Tick, out));
        }
        state.should_stop()
    }));
    let stop = match stop {
        Ok(stop) => stop,
        Err(_) => {
            // SAFETY: `user` is the state installed with the callback.
            (*(user as *mut CallbackState)).interrupted = true;
            true
        }
    };
    // Only interrupt callbacks may interrupt (HiGHS asserts so for the
    // others); a stop asked elsewhere takes effect at the next one.
    let interrupt_kind = kind as HInt == hs::kHighsCallbackSimplexInterrupt as HInt
        || kind as HInt == hs::kHighsCallbackMipInterrupt as HInt;
    if stop && interrupt_kind && !data_in.is_null() {
        (*data_in).user_interrupt = 1;
    }
}

/// One HiGHS instance. Dropping it frees the instance.
pub struct Instance {
    ptr: *mut c_void,
}

impl Instance {
    /// A new instance whose log goes nowhere until a callback is installed.
    pub fn new() -> Self {
        // SAFETY: Highs_create has no preconditions; the pointer is owned here.
        let ptr = unsafe { hs::Highs_create() };
        assert!(!ptr.is_null(), "HiGHS could not create an instance");
        let inst = Instance { ptr };
        inst.set_raw("log_to_console", "false")
            .expect("HiGHS option log_to_console");
        inst.set_raw("output_flag", "true").expect("HiGHS option output_flag");
        inst
    }

    pub(crate) fn ptr(&self) -> *mut c_void {
        self.ptr
    }

    /// Runs HiGHS (`Highs_run`) and returns its status. When this thread
    /// ran HiGHS before with another `threads` option, its scheduler is
    /// reset first: HiGHS would otherwise refuse the run (status unknown),
    /// e.g. for a library user training twice with different thread counts.
    pub(crate) fn run(&self) -> HInt {
        let mut wanted: HInt = 0;
        // SAFETY: valid instance, NUL-terminated name, a valid out pointer.
        unsafe { hs::Highs_getIntOptionValue(self.ptr, c"threads".as_ptr(), &mut wanted) };
        SCHEDULER_THREADS.with(|started| {
            if started.get().is_some_and(|t| t != wanted) {
                // SAFETY: no HiGHS run is in progress on this thread (runs
                // block), and the scheduler is this thread's own.
                unsafe { hs::Highs_resetGlobalScheduler(1) };
            }
            started.set(Some(wanted));
        });
        // SAFETY: valid instance.
        unsafe { hs::Highs_run(self.ptr) }
    }

    /// Installs the callback with `state` as its data. The state must stay
    /// where it is until [`Instance::remove_callback`] is called.
    pub(crate) fn install_callback(&self, state: &mut CallbackState<'_>, mip_events: bool) {
        let user = state as *mut CallbackState as *mut c_void;
        // SAFETY: the callback has the C signature HiGHS expects; `user`
        // outlives the callback's installation (removed by the caller).
        unsafe {
            hs::Highs_setCallback(self.ptr, Some(callback), user);
            hs::Highs_startCallback(self.ptr, hs::kHighsCallbackLogging as HInt);
            hs::Highs_startCallback(self.ptr, hs::kHighsCallbackSimplexInterrupt as HInt);
            if mip_events {
                hs::Highs_startCallback(self.ptr, hs::kHighsCallbackMipInterrupt as HInt);
                hs::Highs_startCallback(self.ptr, hs::kHighsCallbackMipImprovingSolution as HInt);
                hs::Highs_startCallback(self.ptr, hs::kHighsCallbackMipLogging as HInt);
                hs::Highs_startCallback(self.ptr, hs::kHighsCallbackCallbackMipUserSolution as HInt);
            }
        }
    }

    pub(crate) fn remove_callback(&self) {
        // SAFETY: stopping callbacks and clearing the pointer is always valid.
        unsafe {
            for kind in [
                hs::kHighsCallbackLogging,
                hs::kHighsCallbackSimplexInterrupt,
                hs::kHighsCallbackMipInterrupt,
                hs::kHighsCallbackMipImprovingSolution,
                hs::kHighsCallbackMipLogging,
                hs::kHighsCallbackCallbackMipUserSolution,
            ] {
                hs::Highs_stopCallback(self.ptr, kind as HInt);
            }
            hs::Highs_setCallback(self.ptr, None, std::ptr::null_mut());
        }
    }

    /// Sets any option by name from its text value; HiGHS parses and checks
    /// it. An unknown name is refused here with a clear message.
    pub fn set_raw(&self, name: &str, value: &str) -> Result<(), SolverError> {
        let cname = CString::new(name).map_err(|_| SolverError::BadOption(format!("option name {name:?}")))?;
        let cvalue = CString::new(value).map_err(|_| SolverError::BadOption(format!("value {value:?}")))?;
        let mut ty: HInt = 0;
        // SAFETY: valid instance and NUL-terminated strings.
        let known = unsafe { hs::Highs_getOptionType(self.ptr, cname.as_ptr(), &mut ty) };
        if known != hs::kHighsStatusOk as HInt {
            return Err(SolverError::BadOption(format!("HiGHS has no option named '{name}'")));
        }
        let refuse =
            |expected: &str| SolverError::BadOption(format!("option '{name}' takes {expected}, got '{value}'"));
        // SAFETY (all four setters): valid instance, NUL-terminated name.
        let status = match ty as u32 {
            t if t == hs::kHighsOptionTypeBool as u32 => {
                let v = match value.to_ascii_lowercase().as_str() {
                    "true" | "on" | "1" | "yes" => 1,
                    "false" | "off" | "0" | "no" => 0,
                    _ => return Err(refuse("true or false")),
                };
                unsafe { hs::Highs_setBoolOptionValue(self.ptr, cname.as_ptr(), v) }
            }
            t if t == hs::kHighsOptionTypeInt as u32 => {
                let v: HInt = value.parse().map_err(|_| refuse("an integer"))?;
                unsafe { hs::Highs_setIntOptionValue(self.ptr, cname.as_ptr(), v) }
            }
            t if t == hs::kHighsOptionTypeDouble as u32 => {
                let v: f64 = value.parse().map_err(|_| refuse("a number"))?;
                unsafe { hs::Highs_setDoubleOptionValue(self.ptr, cname.as_ptr(), v) }
            }
            _ => unsafe { hs::Highs_setStringOptionValue(self.ptr, cname.as_ptr(), cvalue.as_ptr()) },
        };
        if status != hs::kHighsStatusOk as HInt {
            return Err(SolverError::BadOption(format!(
                "HiGHS refused value '{value}' for option '{name}'"
            )));
        }
        Ok(())
    }

    /// Passes a model (checked with [`Model::validate`] first).
    pub fn pass_model(&self, model: &Model) -> Result<(), SolverError> {
        model.validate()?;
        let to_int = |v: usize| HInt::try_from(v).map_err(|_| SolverError::Backend("model too large for HiGHS".into()));
        let num_col = to_int(model.num_cols())?;
        let num_row = to_int(model.num_rows())?;
        let num_nz = to_int(model.num_nonzeros())?;
        let (start, index, value) = model.matrix();
        let a_start: Vec<HInt> = start.iter().map(|&s| s as HInt).collect();
        let a_index: Vec<HInt> = index.iter().map(|&j| j as HInt).collect();
        let sense = match model.sense() {
            Sense::Minimize => hs::kHighsObjSenseMinimize,
            Sense::Maximize => hs::kHighsObjSenseMaximize,
        } as HInt;
        let integrality: Vec<HInt> = model
            .col_types()
            .iter()
            .map(|t| match t {
                VarType::Continuous => hs::kHighsVarTypeContinuous as HInt,
                VarType::Integer | VarType::Binary => hs::kHighsVarTypeInteger as HInt,
            })
            .collect();
        let integrality_ptr = if model.is_mip() {
            integrality.as_ptr()
        } else {
            std::ptr::null()
        };
        // SAFETY: every array has the length HiGHS reads (num_col, num_row,
        // num_row + 1 starts, num_nz entries), and lives through the call.
        let status = unsafe {
            hs::Highs_passMip(
                self.ptr,
                num_col,
                num_row,
                num_nz,
                hs::kHighsMatrixFormatRowwise as HInt,
                sense,
                model.offset(),
                model.col_cost().as_ptr(),
                model.col_lower().as_ptr(),
                model.col_upper().as_ptr(),
                model.row_lower().as_ptr(),
                model.row_upper().as_ptr(),
                a_start.as_ptr(),
                a_index.as_ptr(),
                value.as_ptr(),
                integrality_ptr,
            )
        };
        if status == hs::kHighsStatusError as HInt {
            return Err(SolverError::Backend("HiGHS rejected the model".into()));
        }
        Ok(())
    }

    /// Passes the model's column and row names, when it has them.
    pub fn pass_names(&self, model: &Model) -> Result<(), SolverError> {
        let check = |name: &str| {
            CString::new(name).map_err(|_| SolverError::Backend(format!("name {name:?} contains a NUL byte")))
        };
        if let Some(names) = model.col_names() {
            for (j, n) in names.iter().enumerate() {
                let c = check(n)?;
                // SAFETY: valid instance, j < num_col, NUL-terminated name.
                unsafe { hs::Highs_passColName(self.ptr, j as HInt, c.as_ptr()) };
            }
        }
        if let Some(names) = model.row_names() {
            for (i, n) in names.iter().enumerate() {
                let c = check(n)?;
                // SAFETY: as above for rows.
                unsafe { hs::Highs_passRowName(self.ptr, i as HInt, c.as_ptr()) };
            }
        }
        Ok(())
    }

    pub fn num_cols(&self) -> usize {
        // SAFETY: valid instance.
        unsafe { hs::Highs_getNumCol(self.ptr) as usize }
    }

    pub fn num_rows(&self) -> usize {
        // SAFETY: valid instance.
        unsafe { hs::Highs_getNumRow(self.ptr) as usize }
    }

    pub(crate) fn int_info(&self, name: &CStr) -> Option<i64> {
        let mut v: HInt = 0;
        // SAFETY: valid instance and NUL-terminated name.
        let st = unsafe { hs::Highs_getIntInfoValue(self.ptr, name.as_ptr(), &mut v) };
        (st == hs::kHighsStatusOk as HInt).then_some(v as i64)
    }

    pub(crate) fn int64_info(&self, name: &CStr) -> Option<i64> {
        let mut v: i64 = 0;
        // SAFETY: valid instance and NUL-terminated name.
        let st = unsafe { hs::Highs_getInt64InfoValue(self.ptr, name.as_ptr(), &mut v) };
        (st == hs::kHighsStatusOk as HInt).then_some(v)
    }

    pub(crate) fn double_info(&self, name: &CStr) -> Option<f64> {
        let mut v: f64 = 0.0;
        // SAFETY: valid instance and NUL-terminated name.
        let st = unsafe { hs::Highs_getDoubleInfoValue(self.ptr, name.as_ptr(), &mut v) };
        (st == hs::kHighsStatusOk as HInt).then_some(v)
    }

    /// Column values of the current solution.
    pub(crate) fn column_values(&self) -> Vec<f64> {
        let mut cols = vec![0.0; self.num_cols()];
        let mut rows = vec![0.0; self.num_rows()];
        // SAFETY: arrays sized to the instance's model; duals not requested.
        unsafe {
            hs::Highs_getSolution(
                self.ptr,
                cols.as_mut_ptr(),
                std::ptr::null_mut(),
                rows.as_mut_ptr(),
                std::ptr::null_mut(),
            )
        };
        cols
    }

    /// Column values and row duals (multipliers) of the current solution,
    /// the duals in HiGHS's sign convention.
    pub(crate) fn primal_and_duals(&self) -> (Vec<f64>, Vec<f64>) {
        let mut col_values = vec![0.0; self.num_cols()];
        let mut col_duals = vec![0.0; self.num_cols()];
        let mut row_values = vec![0.0; self.num_rows()];
        let mut row_duals = vec![0.0; self.num_rows()];
        // SAFETY: arrays sized to the instance's model.
        unsafe {
            hs::Highs_getSolution(
                self.ptr,
                col_values.as_mut_ptr(),
                col_duals.as_mut_ptr(),
                row_values.as_mut_ptr(),
                row_duals.as_mut_ptr(),
            )
        };
        (col_values, row_duals)
    }
}

impl Default for Instance {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        // SAFETY: the pointer came from Highs_create and is freed once.
        unsafe { hs::Highs_destroy(self.ptr) }
    }
}
