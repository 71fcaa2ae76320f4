"""Sphinx configuration of the course's website: the six notebooks as executed by
tools/build_book.py (myst-nb renders them; it executes nothing), the glossary and the cheat
sheet (markdown beside the notebooks), with the sphinx-book-theme.

Everything the pages need is served by the site itself, so it works offline: MathJax from
sphinx-mathjax-offline, the theme's own fonts and icons, and book/_static (the explorers' and
quizzes' script, their styles, a local Colab badge).
"""

project = "Residual connections and normalisation layers"
author = "The course's authors"
copyright = "2026, the course's authors"

extensions = ["myst_nb", "sphinx-mathjax-offline"]
nb_execution_mode = "off"                  # tools/build_book.py executed every notebook once
nb_merge_streams = True                    # one block per stream, as in JupyterLab
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3                   # links to a section (#2-forward-and-backward) resolve
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
suppress_warnings = ["mystnb.unknown_mime_type"]

html_theme = "sphinx_book_theme"
html_title = "Residual connections and normalisation"
templates_path = ["_templates"]
html_static_path = ["_static"]
html_favicon = "_static/favicon.svg"
html_css_files = ["course.css"]
html_js_files = ["course.js"]
html_theme_options = {
    "show_toc_level": 2,
    "show_navbar_depth": 1,
    "home_page_in_toc": True,
    "use_download_button": False,
    "use_fullscreen_button": False,
}
html_context = {"default_mode": "light"}   # the theme's light/dark switch starts on light
html_show_sourcelink = False
html_copy_source = False
html_last_updated_fmt = None
