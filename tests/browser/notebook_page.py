"""One notebook open in JupyterLab, driven the way a student drives it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Locator, Page

CURRENT = ".jp-NotebookPanel:not(.lm-mod-hidden)"   # the notebook on show, not hidden tabs

# window.jupyterapp exists because the server runs with --LabApp.expose_app_in_browser=True.
_KERNEL_READY = """() => {
  const app = window.jupyterapp; if (!app) return false;
  const panel = app.shell.currentWidget; if (!panel || !panel.sessionContext) return false;
  const session = panel.sessionContext.session;
  return !!(session && session.kernel && session.kernel.connectionStatus === 'connected'
            && session.kernel.status === 'idle');
}"""
# The toolbar says "idle" before a kernel is attached: wait for a connected kernel (above), then
# for every code cell to have run, or for an error to have stopped Run All.
_RUN_FINISHED = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = panel.content.widgets.filter(c => c.model.type === 'code');
  const failed = cells.some(c => c.model.outputs.toJSON().some(o => o.output_type === 'error'));
  const done = cells.every(c => c.model.executionCount !== null);
  return panel.sessionContext.session.kernel.status === 'idle' && (done || failed);
}"""
_OUTPUT_PROBLEMS = r"""() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const problems = [];
  panel.content.widgets.forEach((cell, index) => {
    if (cell.model.type !== 'code') return;
    for (const o of cell.model.outputs.toJSON()) {
      if (o.output_type === 'error') problems.push(`cell ${index}: ${o.ename}: ${o.evalue}`);
      if (o.output_type === 'stream' && o.name === 'stderr') problems.push(`cell ${index} stderr: ${o.text}`);
    }
    if (cell.model.executionCount === null) problems.push(`cell ${index} never ran`);
    const draws = /\bcu\.(draw_\w+|\w+_explorer)\(/.test(cell.model.sharedModel.getSource());
    const image = cell.model.outputs.toJSON().some(o => o.data && o.data['image/png']);
    if (draws && !image) problems.push(`cell ${index} draws a figure but shows no image`);
  });
  return problems;
}"""


@dataclass
class Knob:
    """A slider or drop-down in a cell, and the figure (the cell's last image) it drives."""

    cell: Locator
    control: Locator
    kind: str              # "slider" or "dropdown"
    label: str

    def figure(self) -> str | None:
        images = self.cell.locator(".jp-OutputArea-output img")
        return images.last.get_attribute("src") if images.count() else None

    def value(self) -> str:
        if self.kind == "dropdown":
            return self.control.input_value()
        return self.control.get_attribute("aria-valuenow") or ""

    def move(self, direction: int) -> None:
        """One step right (+1) or left (-1): an arrow key on a slider, the next option on a
        drop-down."""
        if self.kind == "slider":
            self.control.focus()
            self.control.press("ArrowRight" if direction > 0 else "ArrowLeft")
        else:
            options = self.control.locator("option")
            index = self.control.evaluate("el => el.selectedIndex")
            self.control.select_option(index=(index + direction) % options.count())

    def can_move_right(self) -> bool:
        if self.kind == "dropdown":
            return True
        return float(self.control.get_attribute("aria-valuenow")) < float(
            self.control.get_attribute("aria-valuemax"))


class NotebookPage:
    def __init__(self, page: Page, lab, name: str):
        self.page, self.lab, self.name = page, lab, name
        self.console_errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))

    # -- running -------------------------------------------------------------------------------
    def open_and_run_all(self, *, timeout_s: float = 300) -> None:
        # reset: start from an empty workspace, or JupyterLab reopens the notebooks of earlier
        # tests in hidden tabs and their cells share the page with this one's
        self.page.goto(self.lab.url(f"lab/tree/{self.name}") + "&reset")
        self.page.wait_for_function(_KERNEL_READY, timeout=90_000, polling=250)
        self.page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        self.page.wait_for_function(_RUN_FINISHED, timeout=timeout_s * 1000, polling=500)

    def output_problems(self) -> list[str]:
        """Error outputs, stderr, cells that never ran, and widgets that failed to render."""
        problems = self.page.evaluate(_OUTPUT_PROBLEMS)
        for text in ("Error displaying widget", "Error rendering output", "Model not found"):
            if self.page.get_by_text(text).count():
                problems.append(f"the page shows {text!r}")
        return problems

    # -- cells ---------------------------------------------------------------------------------
    def cells_with(self, selector: str) -> Locator:
        return self.page.locator(f"{CURRENT} .jp-CodeCell").filter(has=self.page.locator(selector))

    def knobs(self) -> list[Knob]:
        found = []
        cells = self.cells_with(".widget-slider, .widget-dropdown")
        for i in range(cells.count()):
            cell = cells.nth(i)
            for j in range(cell.locator(".widget-slider").count()):
                slider = cell.locator(".widget-slider").nth(j)
                label = slider.locator(".widget-label").inner_text()
                found.append(Knob(cell, slider.locator(".noUi-handle"), "slider", label))
            for j in range(cell.locator(".widget-dropdown").count()):
                dropdown = cell.locator(".widget-dropdown").nth(j)
                label = dropdown.locator(".widget-label").inner_text()
                found.append(Knob(cell, dropdown.locator("select"), "dropdown", label))
        return found

    def wait_for_new_figure(self, knob: Knob, old: str | None, *, timeout_s: float) -> tuple[str, float]:
        """Wait until the knob's figure differs from `old`; return it and the seconds waited."""
        start = time.perf_counter()
        while time.perf_counter() - start < timeout_s:
            src = knob.figure()
            if src is not None and src != old:
                return src, time.perf_counter() - start
            self.page.wait_for_timeout(20)
        raise AssertionError(f"{self.name}: moving {knob.kind} {knob.label!r} did not change its "
                             f"figure within {timeout_s} s")

    def question(self, number: int) -> Locator:
        """The widget of quiz question `number` (1-based)."""
        return self.page.locator(f"{CURRENT} .widget-vbox").filter(
            has=self.page.get_by_text(f"Question {number}.", exact=False)).filter(
            has=self.page.locator(".widget-radio-box")).last

    def answer(self, number: int, choice: int) -> str:
        """Pick choice `choice` (0-based) of question `number`, press Check; return the feedback."""
        question = self.question(number)
        feedback = question.locator(".widget-output .jp-OutputArea-output")
        before = feedback.last.inner_text() if feedback.count() else ""
        question.locator(".widget-radio-box label").nth(choice).click()
        question.get_by_role("button", name="Check answer").click()
        deadline = time.perf_counter() + 10
        while time.perf_counter() < deadline:
            text = feedback.last.inner_text() if feedback.count() else ""
            if text and text != before:
                return text
            self.page.wait_for_timeout(50)
        raise AssertionError(f"{self.name}: no new feedback after answering question {number}")

    def output_text_of_first_cell_containing(self, code: str) -> str:
        cell = self.page.locator(f"{CURRENT} .jp-CodeCell").filter(has_text=code).first
        # under load an output can arrive a moment after the kernel reports idle: give it 20 s
        text = ""
        for _ in range(40):
            text = cell.locator(".jp-OutputArea").inner_text()
            if text.strip():
                break
            self.page.wait_for_timeout(500)
        return text

    # -- leaving -------------------------------------------------------------------------------
    def full_page_screenshot(self, path: Path) -> None:
        """The whole notebook: the viewport is stretched to the notebook's full height first."""
        outer = "document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer')"
        height = self.page.evaluate(f"""() => {{
          window.jupyterapp.shell.collapseLeft();
          const outer = {outer};
          return outer ? outer.scrollHeight : document.body.scrollHeight; }}""")
        self.page.set_viewport_size({"width": 1400, "height": min(int(height) + 200, 30000)})
        self.page.wait_for_timeout(500)
        self.page.evaluate(f"() => {{ const outer = {outer}; if (outer) outer.scrollTop = 0; }}")
        self.page.wait_for_timeout(300)
        self.page.screenshot(path=str(path))

    def close(self) -> None:
        try:
            kernel = self.page.evaluate("""() => { const p = window.jupyterapp.shell.currentWidget;
              return p && p.sessionContext.session && p.sessionContext.session.kernel
                     ? p.sessionContext.session.kernel.id : null; }""")
            if kernel:
                self.lab.request("DELETE", f"api/kernels/{kernel}")
        finally:
            self.page.close()
