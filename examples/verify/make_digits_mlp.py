"""Makes digits_mlp.onnx: a network trained outside mipnet (scikit-learn),
for `mipnet verify`. Run once: python3 make_digits_mlp.py (numpy,
scikit-learn, onnx, onnxruntime). Deterministic (seed 0).

The 8x8 digits (pixels 0..16) from ../../data/digits.csv.gz; first 1347
rows train, last 450 rows test (written to digits_mlp_test.csv with the
label). Network: Div by 16, then 64 -> 32 -> 32 -> 10 ReLU MLP (MatMul+Add),
float32. Class names "0".."9" go into the metadata key mipnet.class_names
so that mipnet reads the labels of the CSV.
"""
import gzip, json, os
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto
import onnxruntime as ort
from sklearn.neural_network import MLPClassifier

here = os.path.dirname(os.path.abspath(__file__))
rows = np.loadtxt(gzip.open(os.path.join(here, "../../data/digits.csv.gz")), delimiter=",")
X, y = rows[:, :64], rows[:, 64].astype(int)
Xtr, ytr, Xte, yte = X[:1347], y[:1347], X[1347:], y[1347:]
clf = MLPClassifier(hidden_layer_sizes=(32, 32), max_iter=600, random_state=0)
clf.fit(Xtr / 16.0, ytr)
print("train acc", clf.score(Xtr / 16.0, ytr), "test acc", clf.score(Xte / 16.0, yte))

nodes, inits = [], []
inits.append(numpy_helper.from_array(np.array(16.0, dtype=np.float32), "sixteen"))
nodes.append(helper.make_node("Div", ["x", "sixteen"], ["h0"], name="scale"))
cur = "h0"
for i, (W, b) in enumerate(zip(clf.coefs_, clf.intercepts_)):
    inits.append(numpy_helper.from_array(W.astype(np.float32), f"W{i}"))
    inits.append(numpy_helper.from_array(b.astype(np.float32), f"b{i}"))
    nodes.append(helper.make_node("MatMul", [cur, f"W{i}"], [f"m{i}"], name=f"matmul{i}"))
    out = "scores" if i == len(clf.coefs_) - 1 else f"a{i}"
    nodes.append(helper.make_node("Add", [f"m{i}", f"b{i}"], [out], name=f"add{i}"))
    if out != "scores":
        nodes.append(helper.make_node("Relu", [out], [f"r{i}"], name=f"relu{i}"))
        out = f"r{i}"
    cur = out
graph = helper.make_graph(
    nodes, "digits_mlp",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64])],
    [helper.make_tensor_value_info("scores", TensorProto.FLOAT, [1, 10])],
    inits,
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="scikit-learn+onnx")
model.ir_version = 7
helper.set_model_props(model, {"mipnet.class_names": json.dumps([str(k) for k in range(10)])})
onnx.checker.check_model(model, full_check=True)
path = os.path.join(here, "digits_mlp.onnx")
onnx.save(model, path)

sess = ort.InferenceSession(path)
pred = np.array([np.argmax(sess.run(None, {"x": r[None, :].astype(np.float32)})[0]) for r in Xte])
print("onnxruntime test acc", (pred == yte).mean())
with open(os.path.join(here, "digits_mlp_test.csv"), "w") as f:
    f.write(",".join(f"x{i}" for i in range(64)) + ",label\n")
    for r, l in zip(Xte, yte):
        f.write(",".join(str(int(v)) for v in r) + f",{l}\n")
