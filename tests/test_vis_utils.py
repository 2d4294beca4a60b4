"""Tests of cs231n_utils.vis_utils, drawn with matplotlib's Agg backend."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from cs231n_utils.vis_utils import show_image_grid, show_images, visualize_grid

FASHION = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]  # fmt: skip


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def _images(rng, n, h, w, c, classes=10):
    X = rng.integers(0, 256, size=(n, h, w, c)).astype(np.float64)
    y = np.arange(n) % classes
    return X, y


def _column_titles(fig):
    (ax,) = fig.axes
    return [label.get_text() for label in ax.get_xticklabels()]


# --- visualize_grid ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "padding", "expected"),
    [
        ((10, 4, 4, 3), 1, (19, 19, 3)),  # 4x4 grid of 4x4 tiles, 3 gaps
        ((9, 5, 7, 1), 2, (19, 25, 1)),  # 3x3 grid
        ((1, 6, 6, 3), 1, (6, 6, 3)),
        ((16, 3, 3, 3), 0, (12, 12, 3)),
    ],
)
def test_visualize_grid_shape(rng, shape, padding, expected):
    assert visualize_grid(rng.standard_normal(shape), padding=padding).shape == expected


def test_visualize_grid_rescales_each_tile_to_ubound(rng):
    Xs = rng.standard_normal((4, 3, 3, 3)) * np.array([1, 10, 100, 1000])[:, None, None, None]
    grid = visualize_grid(Xs, ubound=1.0, padding=1)
    for row in range(2):
        for col in range(2):
            tile = grid[row * 4 : row * 4 + 3, col * 4 : col * 4 + 3]
            assert tile.min() == pytest.approx(0.0)
            assert tile.max() == pytest.approx(1.0)
    assert np.all(grid[3, :] == 0) and np.all(grid[:, 3] == 0)  # padding


def test_visualize_grid_constant_tile_gives_no_nan():
    grid = visualize_grid(np.zeros((2, 3, 3, 1)))
    assert np.all(np.isfinite(grid))


def test_visualize_grid_rejects_wrong_rank():
    with pytest.raises(ValueError, match=r"Xs must be .*\(N, H, W, C\).*\(5, 5\)"):
        visualize_grid(np.zeros((5, 5)))


# --- show_image_grid --------------------------------------------------------------------


def test_show_image_grid_grayscale_fashion_mnist(rng):
    X, y = _images(rng, 100, 28, 28, 1)
    fig = show_image_grid(X, y, FASHION, samples_per_class=7)
    assert isinstance(fig, Figure)
    assert _column_titles(fig) == FASHION
    (image,) = fig.axes[0].get_images()
    assert image.get_array().shape == (7 * 30 - 2, 10 * 30 - 2)  # 2-pixel separators
    assert image.get_cmap().name == "gray"
    fig.canvas.draw()  # renders without error


def test_show_image_grid_colour_cifar(rng):
    names = ["plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    X, y = _images(rng, 60, 32, 32, 3)
    fig = show_image_grid(X, y, names, samples_per_class=4)
    assert _column_titles(fig) == names
    (image,) = fig.axes[0].get_images()
    assert image.get_array().shape == (4 * 34 - 2, 10 * 34 - 2, 3)
    fig.canvas.draw()


def test_show_image_grid_places_samples_of_each_class_in_its_column(rng):
    # every image of class c is the constant c * 20: each column must show only that value
    y = np.repeat(np.arange(5), 3)
    X = np.broadcast_to((y * 20.0)[:, None, None, None], (15, 4, 4, 1)).copy()
    fig = show_image_grid(X, y, [f"c{i}" for i in range(5)], samples_per_class=3)
    mosaic = np.asarray(fig.axes[0].get_images()[0].get_array())
    for c in range(5):
        assert np.all(mosaic[0:4, c * 6 : c * 6 + 4] == c * 20)


def test_show_image_grid_accepts_channels_first_and_default_names(rng):
    X, y = _images(rng, 30, 32, 32, 3, classes=3)
    fig = show_image_grid(X.transpose(0, 3, 1, 2), y, samples_per_class=2)
    assert _column_titles(fig) == ["0", "1", "2"]


def test_show_image_grid_without_labels_and_on_given_axes(rng):
    X, _ = _images(rng, 50, 28, 28, 1)
    fig, ax = plt.subplots()
    assert show_image_grid(X, ax=ax, samples_per_class=3) is fig
    assert _column_titles(fig) == []
    assert ax.get_images()[0].get_array().shape == (3 * 30 - 2, 10 * 30 - 2)


def test_show_image_grid_with_a_class_shorter_than_samples_per_class(rng):
    X, _ = _images(rng, 5, 8, 8, 1)
    y = np.array([0, 0, 0, 0, 1])
    fig = show_image_grid(X, y, ["many", "one"], samples_per_class=4)
    assert _column_titles(fig) == ["many", "one"]


def test_show_image_grid_errors_name_the_argument(rng):
    X, y = _images(rng, 20, 8, 8, 1)
    with pytest.raises(ValueError, match="class_names must name every label"):
        show_image_grid(X, y, ["a", "b"])
    with pytest.raises(ValueError, match=r"y must have shape \(20,\)"):
        show_image_grid(X, y[:5])
    with pytest.raises(ValueError, match=r"X must hold images"):
        show_image_grid(np.zeros((4, 8, 8, 5)), y[:4])


# --- show_images ------------------------------------------------------------------------


def test_show_images_one_row_with_titles(rng):
    X, _ = _images(rng, 3, 16, 16, 3)
    fig = show_images(X, titles=["a", "b", "c"])
    assert len(fig.axes) == 3
    assert [ax.get_title() for ax in fig.axes] == ["a", "b", "c"]
    fig.canvas.draw()


def test_show_images_list_of_different_sizes_and_grid_layout(rng):
    images = [rng.standard_normal((10, 10)), rng.standard_normal((6, 6)),
              rng.standard_normal((8, 8, 3))]  # fmt: skip
    fig = show_images(images, ncols=2)
    assert len(fig.axes) == 4  # 2 x 2 grid, the last one empty
    assert [len(ax.get_images()) for ax in fig.axes] == [1, 1, 1, 0]
    assert fig.axes[0].get_images()[0].get_cmap().name == "gray"


def test_show_images_title_count_must_match(rng):
    X, _ = _images(rng, 2, 4, 4, 1)
    with pytest.raises(ValueError, match="titles must have one entry per image: 2 images, 1"):
        show_images(X, titles=["only one"])
