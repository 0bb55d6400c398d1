//! Convolution and pooling over (C, H, W) values, unrolled into sparse affine maps and max-pool
//! windows over the flat row-major vector.

pub use mipnet_network::{pool_windows, Window};
use mipnet_network::{Affine, Op};

/// Convolution of `c_in` channels with `weights` `[M, c_in/group, kh, kw]` (row-major) and a bias
/// per output channel.
pub fn conv(win: &Window, c_in: usize, m: usize, group: usize, weights: &[f64], bias: &[f64]) -> Affine {
    let [oh, ow] = win.out().expect("window checked by the caller");
    let (plane, cg, mg) = (win.h * win.w, c_in / group, m / group);
    let [kh, kw] = win.kernel;
    let mut rows = Vec::with_capacity(m * oh * ow);
    let mut out_bias = Vec::with_capacity(m * oh * ow);
    for f in 0..m {
        let g = f / mg;
        for oy in 0..oh {
            for ox in 0..ow {
                let taps = win.taps(oy, ox);
                let mut row = Vec::new();
                for c in 0..cg {
                    for &(ky, kx, at) in &taps {
                        let w = weights[((f * cg + c) * kh + ky) * kw + kx];
                        if w != 0.0 {
                            row.push(((g * cg + c) * plane + at, w));
                        }
                    }
                }
                rows.push(row);
                out_bias.push(bias[f]);
            }
        }
    }
    Affine {
        inputs: c_in * plane,
        rows,
        bias: out_bias,
    }
}

/// Average pooling of each channel; the divisor counts padding when `count_include_pad`.
pub fn average_pool(win: &Window, channels: usize, count_include_pad: bool) -> Affine {
    let rows: Vec<Vec<(usize, f64)>> = pool_windows(win, channels)
        .into_iter()
        .map(|w| {
            let n = if count_include_pad {
                win.kernel[0] * win.kernel[1]
            } else {
                w.len()
            };
            w.into_iter().map(|j| (j, 1.0 / n as f64)).collect()
        })
        .collect();
    Affine {
        inputs: channels * win.h * win.w,
        bias: vec![0.0; rows.len()],
        rows,
    }
}

/// Max pooling of each channel: padding never wins, so windows hold only positions inside.
pub fn max_pool(win: &Window, channels: usize) -> Op {
    Op::MaxPool {
        inputs: channels * win.h * win.w,
        windows: pool_windows(win, channels),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Convolution straight from the definition, over a zero-padded input.
    #[allow(clippy::too_many_arguments)]
    fn naive_conv(x: &[f64], c_in: usize, win: &Window, m: usize, group: usize, w: &[f64], b: &[f64]) -> Vec<f64> {
        let [oh, ow] = win.out().unwrap();
        let [kh, kw] = win.kernel;
        let (cg, mg) = (c_in / group, m / group);
        let at = |c: usize, y: i64, xx: i64| -> f64 {
            if y < 0 || xx < 0 || y >= win.h as i64 || xx >= win.w as i64 {
                0.0
            } else {
                x[(c * win.h + y as usize) * win.w + xx as usize]
            }
        };
        let mut out = vec![];
        for f in 0..m {
            for oy in 0..oh {
                for ox in 0..ow {
                    let mut s = b[f];
                    for c in 0..cg {
                        for ky in 0..kh {
                            for kx in 0..kw {
                                let y = (oy * win.strides[0] + ky * win.dilations[0]) as i64 - win.pads[0] as i64;
                                let xx = (ox * win.strides[1] + kx * win.dilations[1]) as i64 - win.pads[1] as i64;
                                s += w[((f * cg + c) * kh + ky) * kw + kx] * at((f / mg) * cg + c, y, xx);
                            }
                        }
                    }
                    out.push(s);
                }
            }
        }
        out
    }

    fn values(n: usize, seed: f64) -> Vec<f64> {
        (0..n).map(|i| ((i as f64 + seed) * 0.731).sin()).collect()
    }

    #[test]
    fn conv_with_stride_two_and_padding_matches_the_definition() {
        for (group, m, dil) in [(1, 3, 1), (2, 4, 1), (2, 2, 2)] {
            let win = Window {
                h: 7,
                w: 6,
                kernel: [3, 2],
                strides: [2, 2],
                pads: [1, 2, 2, 0],
                dilations: [dil, 1],
            };
            let c_in = 2;
            let mut w = values(m * (c_in / group) * 6, 1.0);
            w[3] = 0.0;
            let b = values(m, 9.0);
            let a = conv(&win, c_in, m, group, &w, &b);
            let [oh, ow] = win.out().unwrap();
            assert_eq!(a.outputs(), m * oh * ow);
            assert!(a.rows.iter().all(|r| r.windows(2).all(|p| p[0].0 < p[1].0)));
            for seed in 0..3 {
                let x = values(c_in * 42, seed as f64 * 5.0);
                let (got, want) = (a.apply(&x), naive_conv(&x, c_in, &win, m, group, &w, &b));
                for (g, v) in got.iter().zip(&want) {
                    assert!((g - v).abs() < 1e-12, "group {group}: {g} vs {v}");
                }
            }
        }
    }

    #[test]
    fn max_pool_with_padding_ignores_the_padding() {
        // 1 channel 3×3, kernel 2×2, stride 2, padding 1 on every side: 2×2 outputs.
        let win = Window {
            h: 3,
            w: 3,
            kernel: [2, 2],
            strides: [2, 2],
            pads: [1, 1, 1, 1],
            dilations: [1, 1],
        };
        let op = max_pool(&win, 1);
        let Op::MaxPool { windows, .. } = &op else {
            unreachable!()
        };
        assert_eq!(windows, &vec![vec![0], vec![1, 2], vec![3, 6], vec![4, 5, 7, 8]]);
        // All negative: a zero padding would win, ONNX's −∞ padding does not.
        let x: Vec<f64> = (1..=9).map(|v| -(v as f64)).collect();
        assert_eq!(op.apply(&x), vec![-1.0, -2.0, -4.0, -5.0]);
        let avg = average_pool(&win, 1, false);
        assert_eq!(avg.apply(&x), vec![-1.0, -2.5, -5.5, -7.0]);
        assert_eq!(average_pool(&win, 1, true).apply(&x)[0], -0.25);
    }
}
