"""A small courses/ tree written by a test, so that each test can change files on disk."""

from __future__ import annotations

from pathlib import Path

import yaml

LESSON = """## 第一节 为什么要学

这是一段用于测试的课文，讲的是{topic}。工厂车间里，质量问题往往来自不起眼的细节。

::: tip 小提示
先读完再动手。
:::

## 第二节 怎么做

| 步骤 | 做法 |
|---|---|
| 1 | 识别 |
| 2 | 控制 |
"""


def write_course(root: Path, folder: str = "01-demo", slug: str = "demo", lessons=None,
                 required_for="all", title: str = "演示课程") -> Path:
    lessons = lessons or [("01-first", "第一课", 1.0), ("02-second", "第二课", 0.5)]
    course = root / "courses" / folder
    course.mkdir(parents=True, exist_ok=True)
    manifest = {"slug": slug, "title": title, "summary": "用于测试的课程。", "order": 1,
                "hours": sum(h for _s, _t, h in lessons), "required_for": required_for,
                "objectives": ["能说出测试的目的"],
                "lessons": [{"file": f"{s}.md", "title": t, "hours": h} for s, t, h in lessons]}
    (course / "course.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    for s, t, _h in lessons:
        path = course / f"{s}.md"
        if not path.exists():
            path.write_text(LESSON.format(topic=t), encoding="utf-8")
    return course
