"""Where a browser drew text: for tests that check the visible order of mixed-direction text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["reads_left_to_right", "where"]

# Where the first character of `needle` (the first one at or after `after`) was drawn.
_WHERE = """([needle, after]) => {
  const walker = document.createTreeWalker(this_element, NodeFilter.SHOW_TEXT);
  let text = ""; const nodes = [];
  while (walker.nextNode()) {
    nodes.push([walker.currentNode, text.length]);
    text += walker.currentNode.data;
  }
  const at = text.indexOf(needle, text.indexOf(after));
  if (at < 0) return null;
  for (const [node, start] of nodes) {
    if (at < start + node.data.length) {
      const range = document.createRange();
      range.setStart(node, at - start); range.setEnd(node, at - start + 1);
      const box = range.getBoundingClientRect();
      return [box.left, box.top, box.right];
    }
  }
  return null;
}"""


async def where(element: Any, needle: str, after: str = "") -> tuple[float, float, float]:
    """The left, top and right of the first character of `needle` drawn in `element`."""
    script = "(e, args) => (" + _WHERE.replace("this_element", "e") + ")(args)"
    box = await element.evaluate(script, [needle, after])
    assert box is not None, f"{needle!r} is not shown"
    return box[0], box[1], box[2]


def reads_left_to_right(boxes: Sequence[tuple[float, float, float]]) -> bool:
    """Whether the boxes follow each other as lines of left-to-right text do."""
    keys = [(round(top / 4), left) for left, top, _ in boxes]
    return keys == sorted(keys)
