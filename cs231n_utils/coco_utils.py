"""CS231n's module name for its captioning data helpers, over the generated scenes of 07.

CS231n captions COCO images; this workbook captions generated scenes
(:mod:`cs231n_utils.data.scenes`). This module re-exports the helpers with CS231n's names
and contracts, so ``from cs231n_utils.coco_utils import decode_captions,
sample_coco_minibatch`` works with ``cs231n.`` renamed to ``cs231n_utils.``:

- :func:`~cs231n_utils.data.scenes.decode_captions` ``(captions, idx_to_word)``: one str
  per row (a single str for one row), read up to ``<END>``; unlike CS231n's it leaves
  ``<START>`` and ``<END>`` out of the text;
- :func:`~cs231n_utils.data.scenes.sample_coco_minibatch` ``(data, batch_size, split)``:
  ``(captions, features, urls)``, with the scenes' images in place of URLs;
- :func:`~cs231n_utils.data.scenes.load_scene_captions` in place of ``load_coco_data``:
  the same keys, generated scenes instead of COCO.
"""

from cs231n_utils.data.scenes import decode_captions, load_scene_captions, sample_coco_minibatch

__all__ = ["decode_captions", "load_scene_captions", "sample_coco_minibatch"]
