"""A stand-in for Colab's google.colab, installed only into the Colab-like test environment, so
that the notebooks' set-up cell takes its Colab branch there, as it does on Colab."""
