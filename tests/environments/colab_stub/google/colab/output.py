"""google.colab.output: on Colab, enable_custom_widget_manager lets the page load widget code
from outside Colab. Here: record that the set-up cell called it."""

import os


def enable_custom_widget_manager():
    log = os.environ.get("COLAB_STUB_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write("enable_custom_widget_manager\n")
