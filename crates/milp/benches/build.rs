//! How long building a training-sized model takes: 10^6 columns and 10^7
//! nonzeros, appended row by row as formulations do.

use criterion::{criterion_group, criterion_main, Criterion};
use mipnet_milp::{Col, Model, Sense, VarType};

const COLS: usize = 1_000_000;
const ROWS: usize = 1_000_000;
const PER_ROW: usize = 10;

fn build(with_capacity: bool) -> Model {
    let mut m = if with_capacity {
        Model::with_capacity(Sense::Minimize, COLS, ROWS, ROWS * PER_ROW)
    } else {
        Model::new(Sense::Minimize)
    };
    for j in 0..COLS {
        let ty = if j % 4 == 0 {
            VarType::Binary
        } else {
            VarType::Continuous
        };
        m.add_col(0.0, 1.0, (j % 7) as f64, ty);
    }
    for r in 0..ROWS {
        m.add_row(
            f64::NEG_INFINITY,
            1.0,
            (0..PER_ROW).map(|k| (Col::from_index((r * 7 + k * 99_991) % COLS), 1.0 + k as f64)),
        );
    }
    m
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("build_1e7_nonzeros");
    g.sample_size(10);
    g.bench_function("append_rows", |b| b.iter(|| build(false)));
    g.bench_function("append_rows_with_capacity", |b| b.iter(|| build(true)));
    let m = build(true);
    g.bench_function("validate", |b| b.iter(|| m.validate().unwrap()));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
