//! Stable fingerprints: FNV-1a hashes of bit patterns, the model's columns
//! and rows hashed apart so that a difference says where.

use mipnet_milp::{Model, Row};
use mipnet_network::Network;

/// FNV-1a over 64-bit words: a stable hash (std's is randomly seeded).
pub struct Fnv(u64);

impl Fnv {
    pub fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    pub fn word(&mut self, w: u64) {
        for b in w.to_le_bytes() {
            self.0 ^= b as u64;
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    pub fn f(&mut self, v: f64) {
        self.word(v.to_bits());
    }
    pub fn text(&mut self, s: &str) {
        s.bytes().for_each(|b| self.word(b as u64));
    }
}

pub fn hash_f64s(v: &[f64]) -> String {
    let mut h = Fnv::new();
    h.word(v.len() as u64);
    v.iter().for_each(|&x| h.f(x));
    format!("{:016x}", h.0)
}

pub fn hash_text(s: &str) -> String {
    let mut h = Fnv::new();
    h.text(s);
    format!("{:016x}", h.0)
}

/// Columns and rows hashed separately, so that a difference says where.
pub fn model_fingerprint(m: &Model, full: bool) -> String {
    let mut cols = Fnv::new();
    for j in 0..m.num_cols() {
        cols.f(m.col_lower()[j]);
        cols.f(m.col_upper()[j]);
        cols.f(m.col_cost()[j]);
        cols.text(&format!("{:?}", m.col_types()[j]));
    }
    let mut rows = Fnv::new();
    for r in 0..m.num_rows() {
        rows.f(m.row_lower()[r]);
        rows.f(m.row_upper()[r]);
        let (idx, val) = m.row_entries(Row::from_index(r));
        for (&c, &v) in idx.iter().zip(val) {
            rows.word(c as u64);
            rows.f(v);
        }
        rows.word(u64::MAX);
    }
    let mut out = format!(
        "model {:?} offset {:?} cols {} rows {} nonzeros {} integral {} colhash {:016x} rowhash {:016x}",
        m.sense(),
        m.offset(),
        m.num_cols(),
        m.num_rows(),
        m.num_nonzeros(),
        m.num_integral(),
        cols.0,
        rows.0
    );
    if full {
        for j in 0..m.num_cols() {
            out += &format!(
                "\n  col {j} [{:?}, {:?}] cost {:?} {:?}",
                m.col_lower()[j],
                m.col_upper()[j],
                m.col_cost()[j],
                m.col_types()[j]
            );
        }
        for r in 0..m.num_rows() {
            let (idx, val) = m.row_entries(Row::from_index(r));
            out += &format!(
                "\n  row {r} [{:?}, {:?}] {:?}",
                m.row_lower()[r],
                m.row_upper()[r],
                idx.iter().zip(val).collect::<Vec<_>>()
            );
        }
    }
    out
}

pub fn net_fingerprint(net: &Network) -> String {
    hash_text(&serde_json::to_string(&net.layers).expect("layers serialize"))
}
