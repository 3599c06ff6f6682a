"""The Kymo Jupyter kernel against Jupyter's own clients.

Run: python3 Tests/Jupyter/test_kernel.py [-v]   (KYMO=path/to/kymo, default .build/debug/kymo)
Needs: pip install jupyter_client nbclient nbformat jupyter_kernel_test

- the kernelspec: `kymo jupyter install --user` under $JUPYTER_DATA_DIR, found by
  jupyter_client's KernelSpecManager; uninstall removes it;
- jupyter_kernel_test's suite (kernel_info, execute, stdout, results, display
  data, errors, completion, inspection, is_complete, history);
- bad signatures and malformed frames are dropped, the kernel keeps answering;
- an nbclient run of Tests/Jupyter/session.ipynb: result, stream, figure
  (image/svg+xml and image/png), error with the state kept;
- an interrupt during training (on the control channel) stops it at a step
  boundary; the session is recorded and `kymo replay` of it is identical.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
KYMO = os.path.abspath(os.environ.get("KYMO", os.path.join(ROOT, ".build/debug/kymo")))

# One scratch folder: the kernelspec's data dir and the kernels' working
# directory (their runs/ folder), set before jupyter_client is imported.
SCRATCH = tempfile.mkdtemp(prefix="kymo-jupyter-")
os.environ["JUPYTER_DATA_DIR"] = os.path.join(SCRATCH, "data")
os.environ["JUPYTER_RUNTIME_DIR"] = os.path.join(SCRATCH, "runtime")
os.environ["KYMO_THREADS"] = "2"
os.chdir(SCRATCH)

import jupyter_client  # noqa: E402
import jupyter_kernel_test as jkt  # noqa: E402
import nbformat  # noqa: E402
import zmq  # noqa: E402
from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402
from jupyter_client.manager import start_new_kernel  # noqa: E402
from nbclient import NotebookClient  # noqa: E402


def kymo(*args, cwd=SCRATCH):
    return subprocess.run([KYMO, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def install():
    r = kymo("jupyter", "install", "--user")
    assert r.returncode == 0, r.stderr
    return r


install()


class KernelspecTests(unittest.TestCase):
    def test_install_is_found_and_uninstall_removes_it(self):
        spec = KernelSpecManager().get_kernel_spec("kymo")
        self.assertEqual(spec.display_name, "Kymo")
        self.assertEqual(spec.language, "kymo")
        self.assertEqual(spec.interrupt_mode, "message")
        self.assertEqual(spec.argv[1:], ["kernel", "-f", "{connection_file}"])
        self.assertTrue(os.path.samefile(spec.argv[0], KYMO))
        for logo in ("logo-svg.svg", "logo-64x64.png", "logo-32x32.png"):
            self.assertTrue(os.path.exists(os.path.join(spec.resource_dir, logo)), logo)
        with open(os.path.join(spec.resource_dir, "logo-64x64.png"), "rb") as f:
            png = f.read()
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
        try:  # Pillow reads it (it checks CRCs and the zlib stream) when installed
            from PIL import Image
            import io
            img = Image.open(io.BytesIO(png))
            img.load()
            self.assertEqual(img.size, (64, 64))
        except ImportError:
            pass
        # --prefix DIR writes DIR/share/jupyter/kernels/kymo; uninstall removes it.
        prefix = os.path.join(SCRATCH, "prefix")
        self.assertEqual(kymo("jupyter", "install", "--prefix", prefix).returncode, 0)
        where = os.path.join(prefix, "share/jupyter/kernels/kymo/kernel.json")
        self.assertTrue(os.path.exists(where))
        self.assertEqual(kymo("jupyter", "uninstall", "--prefix", prefix).returncode, 0)
        self.assertFalse(os.path.exists(where))
        self.assertNotEqual(kymo("jupyter", "uninstall", "--prefix", prefix).returncode, 0)
        self.assertNotEqual(kymo("jupyter", "install", "--user", "--prefix", prefix).returncode, 0)


class KymoKernelTests(jkt.KernelTests):
    kernel_name = "kymo"
    language_name = "kymo"
    file_extension = ".kymo"
    code_hello_world = 'print("hello, world")'
    completion_samples = [
        {"text": "prin", "matches": {"print"}},
        {"text": "let zebra_count = 3\nzebra_c", "matches": {"zebra_count"}},
    ]
    complete_code_samples = ["1 + 2", "let a = [1, 2]", "print(1)"]
    incomplete_code_samples = ["let a = [1,", "for i in 0..<3 {", "1 +"]
    invalid_code_samples = ["let = 3", "1 + )"]
    code_execute_result = [
        {"code": "1 + 2", "result": "3"},
        {"code": "\"kymo\"", "result": "\"kymo\""},
        {"code": "{a: 1, b: 2.5}", "mime": "text/html"},
        {"code": "{name: \"<b>x</b>\", n: [1, 2]}", "mime": "text/html",
         "result": '<table class="kymo-record"><tr><th>name</th><td>&lt;b&gt;x&lt;/b&gt;</td></tr>'
                   '<tr><th>n</th><td>[1, 2]</td></tr></table>'},
        {"code": "[{model: \"a\", mse: 1.5}, {model: \"b\", mse: 2}]", "mime": "text/html"},
    ]
    code_display_data = [
        {"code": "let mm = moving_mnist(train: 1, test: 1, frames: 4, size: 32)\nplot_frames(mm.test[0], mm.test[0])", "mime": "image/svg+xml"},
        {"code": "let mm = moving_mnist(train: 1, test: 1, frames: 4, size: 32)\nplot_frames(mm.test[0], mm.test[0])", "mime": "image/png"},
    ]
    code_generate_error = "no_such_name + 1"
    code_inspect_sample = "train"
    supported_history_operations = ("tail", "range", "search")
    code_history_pattern = "1 +*"


def execute(kc, code, timeout=60):
    """Runs `code`; returns (reply, iopub messages caused by it)."""
    msg_id = kc.execute(code)
    reply = kc.get_shell_msg(timeout=timeout)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=timeout)
    out = []
    while True:
        m = kc.get_iopub_msg(timeout=timeout)
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            return reply, out
        out.append(m)


class ProtocolTests(unittest.TestCase):
    """One kernel: signatures, malformed frames, state across cells and errors, interrupt, record."""

    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name="kymo")

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel()

    def test_1_bad_signatures_and_malformed_frames_are_dropped(self):
        info = self.km.get_connection_info()
        ctx = zmq.Context.instance()
        s = ctx.socket(zmq.DEALER)
        s.linger = 0
        s.connect("%s://%s:%d" % (info["transport"], info["ip"], info["shell_port"]))
        session = self.kc.session  # the client's own: message ids never collide with its requests
        msg = session.msg("kernel_info_request", {})
        frames = session.serialize(msg)  # [delimiter, signature, header, parent, metadata, content]
        bad = list(frames)
        bad[1] = b"0" * 64
        s.send_multipart(bad)
        garbage = [
            [b"no delimiter at all"],
            [b"<IDS|MSG>", b"", b"{"],
            [b"<IDS|MSG>", frames[1], b"not json", b"{}", b"{}", b"{}"],
            [b"<IDS|MSG>", b"zz" * 32, frames[2], frames[3], frames[4], frames[5]],
            [b"<IDS|MSG>", session.sign([b"[1]", b"{}", b"{}", b"{}"]), b"[1]", b"{}", b"{}", b"{}"],
        ]
        for g in garbage:
            s.send_multipart(g)
        self.assertEqual(s.poll(1500), 0, "the kernel answered a message with a bad signature or a malformed one")
        s.send_multipart(frames)  # the same request, correctly signed, is answered
        self.assertNotEqual(s.poll(10000), 0)
        reply = session.deserialize(session.feed_identities(s.recv_multipart())[1])
        self.assertEqual(reply["msg_type"], "kernel_info_reply")
        self.assertEqual(reply["content"]["implementation"], "kymo")
        s.close()

    def test_1b_signed_requests_with_wrong_contents_are_answered_or_ignored_never_fatal(self):
        session = self.kc.session  # the client's own: message ids never collide with its requests
        hostile = [
            ("execute_request", {"code": 42}),
            ("execute_request", {}),
            ("complete_request", {"code": "pri", "cursor_pos": "x"}),
            ("complete_request", {"code": "pri", "cursor_pos": 10 ** 12}),
            ("complete_request", {"code": "pri", "cursor_pos": -5}),
            ("inspect_request", {"code": None, "cursor_pos": 2.5}),
            ("is_complete_request", {"code": ["not", "text"]}),
            ("history_request", {"hist_access_type": "search", "pattern": "*" * 5000 + "x", "n": -3}),
            ("history_request", {"hist_access_type": "range", "start": "a", "stop": None}),
            ("comm_open", {"comm_id": "c", "target_name": "nothing"}),
            ("no_such_request", {"x": 1}),
        ]
        for msg_type, content in hostile:
            self.kc.shell_channel.send(session.msg(msg_type, content))
        reply, out = execute(self.kc, "1 + 1")
        self.assertEqual(reply["content"]["status"], "ok", reply)
        self.assertTrue(self.km.is_alive())

    def test_2_state_survives_an_error(self):
        reply, _ = execute(self.kc, "let kept = 41")
        self.assertEqual(reply["content"]["status"], "ok")
        reply, out = execute(self.kc, "kept + undefined_thing")
        self.assertEqual(reply["content"]["status"], "error")
        err = [m for m in out if m["msg_type"] == "error"]
        self.assertEqual(len(err), 1)
        tb = "\n".join(err[0]["content"]["traceback"])
        self.assertIn("unknown", tb.lower())
        self.assertIn("^", tb)  # the caret under the name
        reply, out = execute(self.kc, "kept + 1")
        self.assertEqual(reply["content"]["status"], "ok")
        results = [m for m in out if m["msg_type"] == "execute_result"]
        self.assertEqual(results[0]["content"]["data"]["text/plain"], "42")

    def test_3_interrupt_stops_training_at_a_step_boundary(self):
        reply, _ = execute(self.kc, "seed(3)\nlet d = moving_mnist(train: 4, test: 1, frames: 4, size: 32)\n"
                                    "let m = convlstm(layers: 1, hidden: 4, size: 32, patch: 4, frames_in: 2, frames_out: 2)")
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        msg_id = self.kc.execute("let h = train(m, d.train, steps: 1000000, batch: 2, lr: 0.01)")
        live_id = None
        updates = 0
        while updates < 2:  # training is under way: its live line was shown and updated
            m = self.kc.get_iopub_msg(timeout=120)
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            if m["msg_type"] == "display_data":
                live_id = m["content"]["transient"]["display_id"]
            if m["msg_type"] == "update_display_data":
                self.assertEqual(m["content"]["transient"]["display_id"], live_id)
                updates += 1
        # The heartbeat answers while the cell runs (its own thread).
        info = self.km.get_connection_info()
        hb = zmq.Context.instance().socket(zmq.REQ)
        hb.linger = 0
        hb.connect("%s://%s:%d" % (info["transport"], info["ip"], info["hb_port"]))
        hb.send(b"ping during training")
        self.assertNotEqual(hb.poll(10000), 0, "no heartbeat while training")
        self.assertEqual(hb.recv(), b"ping during training")
        hb.close()
        t0 = time.time()
        self.km.interrupt_kernel()  # interrupt_mode "message": an interrupt_request on control
        reply = self.kc.get_shell_msg(timeout=60)
        answered = time.time() - t0
        print("\n  interrupt answered in %.2f s" % answered, file=sys.stderr)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "Interrupted")
        self.assertIn("interrupted during training at step", reply["content"]["evalue"])
        step = int(reply["content"]["evalue"].split("at step")[1].split()[0].strip(".,;:"))
        # The history holds exactly the steps finished: the model stopped at a step boundary.
        reply, out = execute(self.kc, "[h.status, len(h.loss)]")
        self.assertEqual(reply["content"]["status"], "ok")
        text = [m for m in out if m["msg_type"] == "execute_result"][0]["content"]["data"]["text/plain"]
        self.assertIn("interrupted", text)
        self.assertIn(str(step), text)
        reply, _ = execute(self.kc, "evaluate(m, d.test).mse")  # the model is usable after the interrupt
        self.assertEqual(reply["content"]["status"], "ok")

    def test_4_the_session_is_recorded_and_replays_identical(self):
        reply, _ = execute(self.kc, "[1, 2][kept]")  # fails while running: recorded as failed
        self.assertEqual(reply["content"]["status"], "error")
        reply, _ = execute(self.kc, "log(\"score\", 1.5)\nprint(\"recorded\")")
        self.assertEqual(reply["content"]["status"], "ok")
        runs = os.path.join(SCRATCH, "runs")
        ids = sorted(os.listdir(runs))
        self.assertGreaterEqual(len(ids), 1)
        newest = max(ids, key=lambda i: os.path.getmtime(os.path.join(runs, i, "record.json")))
        with open(os.path.join(runs, newest, "record.json")) as f:
            record = json.load(f)
        # The notebook of the record: the cells in the order they ran, failed ones included.
        text = record["notebook"]["text"]
        self.assertLess(text.index("let kept = 41"), text.index("kept + 1"))
        self.assertNotIn("undefined_thing", text)  # rejected by the checker: it did not run
        self.assertIn("train(m, d.train, steps: 1000000", text)
        statuses = [c["status"] for c in record["cells"]]
        self.assertIn("interrupted", statuses)
        self.assertIn("failed", statuses)
        replay = kymo("replay", newest, "--runs", runs, "--threads", "1")
        self.assertIn("identical", replay.stdout.splitlines(), replay.stdout + replay.stderr)


class NotebookTests(unittest.TestCase):
    def test_nbclient_runs_the_committed_notebook(self):
        nb = nbformat.read(os.path.join(HERE, "session.ipynb"), as_version=4)
        NotebookClient(nb, kernel_name="kymo", timeout=300, allow_errors=True, resources={"metadata": {"path": SCRATCH}}).execute()
        outs = [c.get("outputs", []) for c in nb.cells if c.cell_type == "code"]
        # cell 1: a value
        self.assertEqual(outs[0][0]["output_type"], "execute_result")
        self.assertEqual(outs[0][0]["data"]["text/plain"], "3")
        # cell 2: printed text
        self.assertEqual(outs[1][0]["output_type"], "stream")
        self.assertEqual(outs[1][0]["text"], "x is 3\n")
        # cell 3: a figure
        figure = [o for o in outs[2] if o["output_type"] == "display_data"][0]
        self.assertIn("<svg", figure["data"]["image/svg+xml"])
        import base64
        self.assertEqual(base64.b64decode(figure["data"]["image/png"])[:8], b"\x89PNG\r\n\x1a\n")
        # cell 4: an error, as Kymo's diagnostic
        self.assertEqual(outs[3][0]["output_type"], "error")
        self.assertIn("In [4]:1:", "\n".join(outs[3][0]["traceback"]))
        # cell 5: the state survived the error
        self.assertEqual(outs[4][0]["data"]["text/plain"], "30")
        # cell 6: fig.show() displays the figure where it is called, before what the cell prints next
        self.assertEqual([o["output_type"] for o in outs[5]], ["display_data", "stream"])
        self.assertIn("<svg", outs[5][0]["data"]["image/svg+xml"])
        self.assertIn("image/png", outs[5][0]["data"])


class IpynbAndExportTests(unittest.TestCase):
    """`kymo run/check/convert` of a committed .ipynb; its record exported for TensorBoard, CSV, JSON."""

    def test_kymo_to_ipynb_and_back_through_nbformat_is_byte_exact(self):
        """Every notebooks/*.kymo and untitled cells: `kymo convert` to .ipynb, read and written by nbformat
        (as Jupyter saves it), `kymo convert` back: the same bytes."""
        work = tempfile.mkdtemp(dir=SCRATCH)
        texts = {}
        folder = os.path.join(ROOT, "notebooks")
        for name in sorted(os.listdir(folder)):
            if name.endswith(".kymo"):
                with open(os.path.join(folder, name), encoding="utf-8") as f:
                    texts[name] = f.read()
        self.assertGreaterEqual(len(texts), 9)
        texts["untitled.kymo"] = "\n# intro\nlet a = 1\n\n%%\nprint(a)\n\n%%   \n# a comment\n\n  \nprint(a + 1)\n%%Tight\n#\nprint(2)"
        for name, text in texts.items():
            with open(os.path.join(work, name), "w", encoding="utf-8") as f:
                f.write(text)
            stem = name[:-len(".kymo")]
            r = kymo("convert", name, stem + ".ipynb", cwd=work)
            self.assertEqual(r.returncode, 0, r.stderr)
            nb = nbformat.read(os.path.join(work, stem + ".ipynb"), as_version=4)
            nbformat.validate(nb)
            nbformat.write(nb, os.path.join(work, stem + ".saved.ipynb"))
            r = kymo("convert", stem + ".saved.ipynb", stem + ".back.kymo", cwd=work)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(os.path.join(work, stem + ".back.kymo"), encoding="utf-8") as f:
                self.assertEqual(f.read(), text, name)

    def test_run_check_convert_and_tensorboard_export(self):
        work = tempfile.mkdtemp(dir=SCRATCH)
        shutil.copy(os.path.join(HERE, "train.ipynb"), work)
        self.assertEqual(kymo("check", "train.ipynb", cwd=work).returncode, 0)
        r = kymo("run", "train.ipynb", "--set", "steps=4", "--runs", "runs", cwd=work)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("%% Settings", r.stdout)  # the markdown heading titles the cell
        self.assertIn("4\n", r.stdout)  # --set steps=4 reached the top-level let
        run_id = [l.split()[1].rstrip(":") for l in r.stderr.splitlines() if l.startswith("run ")][-1]
        with open(os.path.join(work, "runs", run_id, "record.json")) as f:
            record = json.load(f)
        self.assertEqual(record["status"], "complete")
        replay = kymo("replay", run_id, "--runs", "runs", cwd=work)
        self.assertIn("identical", replay.stdout.splitlines(), replay.stdout + replay.stderr)

        # convert: .ipynb -> .kymo -> .ipynb -> .kymo is a fixed point, and the .kymo runs to the same values
        self.assertEqual(kymo("convert", "train.ipynb", "a.kymo", cwd=work).returncode, 0)
        self.assertEqual(kymo("convert", "a.kymo", "b.ipynb", "--record", run_id, "--runs", "runs", cwd=work).returncode, 0)
        self.assertEqual(kymo("convert", "b.ipynb", "b.kymo", cwd=work).returncode, 0)
        with open(os.path.join(work, "a.kymo")) as a, open(os.path.join(work, "b.kymo")) as b:
            self.assertEqual(a.read(), b.read())
        nb = nbformat.read(os.path.join(work, "b.ipynb"), as_version=4)
        nbformat.validate(nb)
        self.assertEqual(nb.metadata.kernelspec.name, "kymo")
        code = [c for c in nb.cells if c.cell_type == "code"]
        self.assertEqual(code[1].outputs[0]["text"], "4\n")  # the recorded output
        r2 = kymo("run", "a.kymo", "--set", "steps=4", "--runs", "runs2", cwd=work)
        self.assertEqual(r2.returncode, 0, r2.stderr)
        id2 = [l.split()[1].rstrip(":") for l in r2.stderr.splitlines() if l.startswith("run ")][-1]
        with open(os.path.join(work, "runs2", id2, "record.json")) as f:
            record2 = json.load(f)
        self.assertEqual(record["metrics"], record2["metrics"])

        # export: TensorBoard's own reader sees the record's values
        r = kymo("runs", "export", run_id, "--runs", "runs", "--tensorboard", "tb", "--csv", "m.csv", "--json", "m.json", cwd=work)
        self.assertEqual(r.returncode, 0, r.stderr)
        try:
            from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
        except ImportError:
            self.skipTest("tensorboard is not installed (pip install tensorboard)")
        acc = EventAccumulator(os.path.join(work, "tb", run_id), size_guidance={"scalars": 0, "images": 0, "tensors": 0})
        acc.Reload()
        tags = acc.Tags()
        import struct
        with open(os.path.join(work, "m.json")) as f:
            exported = json.load(f)["runs"][0]["metrics"]
        self.assertGreaterEqual(len(record["metrics"]), 2)
        for m in record["metrics"]:
            self.assertIn(m["name"], tags["scalars"])
            events = acc.Scalars(m["name"])
            self.assertEqual([e.step for e in events], m["steps"])
            want = exported[m["name"]]["values"]
            self.assertEqual(len(want), len(events))
            for e, v in zip(events, want):  # TensorBoard keeps float32: the record's value rounded to float32
                self.assertEqual(e.value, struct.unpack("f", struct.pack("f", v))[0])
        self.assertIn("loss.png", tags["images"])
        img = acc.Images("loss.png")[0]
        self.assertEqual(img.encoded_image_string[:8], b"\x89PNG\r\n\x1a\n")
        self.assertIn("configuration", tags["tensors"])
        text = acc.Tensors("configuration")[0].tensor_proto.string_val[0].decode()
        self.assertIn(run_id, text)
        self.assertIn("steps", text)
        # a sweep exports one run per point, side by side for TensorBoard's run selector
        r = kymo("sweep", "a.kymo", "--set", "steps=2,3", "--runs", "sw", "--threads", "1", cwd=work)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        sweep_id = [n for n in os.listdir(os.path.join(work, "sw")) if n.startswith("sweep-")][0]
        r = kymo("runs", "export", sweep_id, "--runs", "sw", "--tensorboard", "tb-sweep", cwd=work)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        points = sorted(os.listdir(os.path.join(work, "tb-sweep", sweep_id)))
        self.assertEqual(points, ["steps=2,seed=0", "steps=3,seed=0"])
        for point, steps in zip(points, (2, 3)):
            acc = EventAccumulator(os.path.join(work, "tb-sweep", sweep_id, point), size_guidance={"scalars": 0})
            acc.Reload()
            losses = [t for t in acc.Tags()["scalars"] if "loss" in t]
            self.assertTrue(losses, acc.Tags())
            self.assertEqual(len(acc.Scalars(losses[0])), steps)
        with open(os.path.join(work, "m.csv")) as f:
            rows = f.read().splitlines()
        self.assertEqual(rows[0], "run,metric,step,value")
        self.assertEqual(len(rows) - 1, sum(len(m["steps"]) for m in record["metrics"]))

    def test_svg_figures_reach_tensorboard_as_images(self):
        """A figure saved as SVG (the usual format) is rasterized for TensorBoard's image tab."""
        work = tempfile.mkdtemp(dir=SCRATCH)
        with open(os.path.join(work, "fig.kymo"), "w") as f:
            f.write("seed()\nlet d = moving_mnist(train: 8, test: 2, frames: 4, size: 32)\n"
                    "let m = convlstm(layers: 1, hidden: 4, kernel: 3, size: 32, frames_in: 2, frames_out: 2)\n"
                    "let h = train(m, d.train, steps: 3, batch: 2)\nplot_loss(h).save(\"loss.svg\")\n")
        r = kymo("run", "fig.kymo", "--runs", "runs", cwd=work)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        run_id = [l.split()[1].rstrip(":") for l in r.stderr.splitlines() if l.startswith("run ")][-1]
        r = kymo("runs", "export", run_id, "--runs", "runs", "--tensorboard", "tb", cwd=work)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        try:
            from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
        except ImportError:
            self.skipTest("tensorboard is not installed (pip install tensorboard)")
        acc = EventAccumulator(os.path.join(work, "tb", run_id), size_guidance={"images": 0})
        acc.Reload()
        self.assertIn("loss.svg", acc.Tags()["images"])
        img = acc.Images("loss.svg")[0]
        png = img.encoded_image_string
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
        # the PNG's own header agrees with the summary's size, and the drawing is not blank
        import struct
        w, h = struct.unpack(">II", png[16:24])
        self.assertEqual((img.width, img.height), (w, h))
        self.assertGreater(w, 200)
        self.assertGreater(len(png), 5000)


class HiddenStateTests(unittest.TestCase):
    """Cells run out of notebook order, or edited after they ran, are flagged in the record and by `kymo runs show`."""

    def test_out_of_order_and_edited_cells_are_flagged(self):
        work = tempfile.mkdtemp(dir=SCRATCH)
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell("let a = 1", id="first"), nbformat.v4.new_markdown_cell("text", id="words"),
                    nbformat.v4.new_code_cell("let b = a + 1", id="third")]
        path = os.path.join(work, "order.ipynb")
        nbformat.write(nb, path)
        env = dict(os.environ, JPY_SESSION_NAME=path)
        km, kc = start_new_kernel(kernel_name="kymo", cwd=work, env=env)
        try:
            def run(code, cell):
                msg = kc.session.msg("execute_request", {"code": code, "silent": False, "store_history": True,
                                                         "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
                                     metadata={"cellId": cell})
                kc.shell_channel.send(msg)
                reply = kc.get_shell_msg(timeout=60)
                while reply["parent_header"]["msg_id"] != msg["header"]["msg_id"]:
                    reply = kc.get_shell_msg(timeout=60)
                return reply["content"]["status"]
            self.assertEqual(run("let a = 5", "first"), "ok")
            self.assertEqual(run("let b = a + 1", "third"), "ok")  # in order so far
            self.assertEqual(run("let a = 1", "first"), "ok")      # edited, and now above a cell that ran
            self.assertEqual(run("b", "third"), "ok")              # edited too
        finally:
            kc.stop_channels()
            km.shutdown_kernel()
        runs = os.path.join(work, "runs")
        run_id = os.listdir(runs)[0]
        with open(os.path.join(runs, run_id, "record.json")) as f:
            record = json.load(f)
        self.assertEqual([c["title"] for c in record["cells"]],
                         ["In [1] · cell 1", "In [2] · cell 3", "In [3] · cell 1 · edited since In [1]",
                          "In [4] · cell 3 · edited since In [2]"])
        self.assertEqual(record["status"], "complete")
        show = kymo("runs", "show", run_id, "--runs", runs, cwd=work).stdout
        self.assertIn("hidden state: cell 3 ran before cell 1", show)
        self.assertIn("hidden state: cell 1 was edited after it ran (In [1]); In [3] ran the new text", show)
        replay = kymo("replay", run_id, "--runs", runs, cwd=work)
        self.assertIn("identical", replay.stdout.splitlines(), replay.stdout + replay.stderr)


if __name__ == "__main__":
    try:
        unittest.main(verbosity=2)
    finally:
        shutil.rmtree(SCRATCH, ignore_errors=True)
