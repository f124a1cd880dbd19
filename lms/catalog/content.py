"""Reading courses/ from disk: manifests, lessons, links and images, with errors by file and line."""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lms.catalog.render import Rendered, render_markdown

SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
IMAGE_TYPES = {".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp"}


class ContentError(Exception):
    """Malformed content; each message names the file and line. Nothing was changed."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class LessonSource:
    slug: str
    file: Path
    title: str
    hours: float
    position: int
    source: str
    rendered: Rendered | None = None

    @property
    def source_hash(self) -> str:
        key = f"{self.title}\n{self.hours}\n{self.source}"
        return hashlib.sha256(key.encode()).hexdigest()


@dataclass
class CourseSource:
    slug: str
    folder: Path
    manifest: dict[str, Any]
    manifest_hash: str
    lessons: list[LessonSource] = field(default_factory=list)


def _line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return 1


def _load_manifest(path: Path, problems: list[str]) -> dict[str, Any] | None:
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problems.append(f"{path}:{line}: YAML 格式错误：{getattr(error, 'problem', error)}")
        return None
    if not isinstance(data, dict):
        problems.append(f"{path}:1: 清单应为键值对（mapping）")
        return None
    before = len(problems)

    def need(key: str, kind: type | tuple[type, ...], message: str) -> None:
        if not isinstance(data.get(key), kind) or data.get(key) in ("", []) and key != "required_for":
            problems.append(f"{path}:{_line_of(text, key + ':')}: {message}")

    need("slug", str, "缺少 slug（小写字母、数字和连字符）")
    need("title", str, "缺少 title")
    need("summary", str, "缺少 summary")
    need("order", int, "order 应为整数")
    need("hours", (int, float), "hours 应为数字")
    need("objectives", list, "objectives 应为非空列表")
    need("lessons", list, "lessons 应为非空列表")
    if isinstance(data.get("slug"), str) and not SLUG.fullmatch(data["slug"]):
        problems.append(f"{path}:{_line_of(text, 'slug:')}: slug 只能包含小写字母、数字和连字符")
    required = data.get("required_for", [])
    if required != "all" and not (isinstance(required, list) and all(isinstance(p, str) for p in required)):
        problems.append(f"{path}:{_line_of(text, 'required_for:')}: required_for 应为 all 或行业代码前缀列表")
    return data if len(problems) == before else None


def read_course(folder: Path, problems: list[str]) -> CourseSource | None:
    """One course folder, checked; problems are appended as 'file:line: message'."""
    manifest_path = folder / "course.yaml"
    if not manifest_path.exists():
        problems.append(f"{folder}: 缺少 course.yaml")
        return None
    data = _load_manifest(manifest_path, problems)
    if data is None:
        return None
    text = manifest_path.read_text(encoding="utf-8")
    course = CourseSource(slug=data["slug"], folder=folder, manifest=data,
                          manifest_hash=hashlib.sha256(text.encode()).hexdigest())
    seen: set[str] = set()
    for position, entry in enumerate(data["lessons"], start=1):
        line = _line_of(text, str(entry.get("file", "")) if isinstance(entry, dict) else "lessons:")
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            problems.append(f"{manifest_path}:{line}: 每一课需要 file、title、hours")
            continue
        file = folder / entry["file"]
        slug = Path(entry["file"]).stem
        if not entry["file"].endswith(".md") or not file.exists():
            problems.append(f"{manifest_path}:{line}: 找不到课时文件 {entry['file']}")
            continue
        if slug in seen:
            problems.append(f"{manifest_path}:{line}: 课时 {slug} 重复")
            continue
        seen.add(slug)
        hours = entry.get("hours")
        if not isinstance(entry.get("title"), str) or not isinstance(hours, int | float) or hours <= 0:
            problems.append(f"{manifest_path}:{line}: 课时 {slug} 需要 title 和大于 0 的 hours")
            continue
        course.lessons.append(LessonSource(slug, file, entry["title"], float(hours), position,
                                           file.read_text(encoding="utf-8")))
    total = sum(lesson.hours for lesson in course.lessons)
    if not problems and abs(total - float(data["hours"])) > 1e-6:
        problems.append(f"{manifest_path}:{_line_of(text, 'hours:')}: hours 为 {data['hours']}，"
                        f"但各课时合计 {total:g}")
    return course


def read_all(root: Path) -> list[CourseSource]:
    """Every course under root/courses, rendered; raises ContentError listing every problem."""
    problems: list[str] = []
    courses_dir = root / "courses"
    if not courses_dir.is_dir():  # run from the wrong folder: syncing nothing would retire every course
        raise ContentError([f"{courses_dir}: 找不到课程目录，未做任何更改（请在项目目录中运行，或设置 LMS_CONTENT_ROOT）"])
    folders = sorted(p for p in courses_dir.iterdir() if p.is_dir())
    courses = [c for c in (read_course(f, problems) for f in folders) if c is not None]
    slugs = [c.slug for c in courses]
    for slug in {s for s in slugs if slugs.count(s) > 1}:
        problems.append(f"{courses_dir}: 课程 slug “{slug}” 重复")
    by_folder = {c.folder.name: c for c in courses}
    for course in courses:
        for lesson in course.lessons:
            lesson.rendered = render_markdown(lesson.source, _resolver(course, by_folder))
            _check_targets(course, lesson, by_folder, problems)
    if problems:
        raise ContentError(problems)
    return courses


def _target(course: CourseSource, path: str, by_folder: dict[str, CourseSource]):
    """(course, lesson slug) for a relative lesson link like 02-x.md or ../04-haccp/01-prp.md."""
    joined = posixpath.normpath(posixpath.join(course.folder.name, path))
    parts = joined.split("/")
    if len(parts) != 2 or parts[0] not in by_folder or not parts[1].endswith(".md"):
        return None
    target_course = by_folder[parts[0]]
    slug = parts[1][:-3]
    return (target_course, slug) if any(l.slug == slug for l in target_course.lessons) else None


def _resolver(course: CourseSource, by_folder: dict[str, CourseSource]):
    def resolve(kind: str, path: str) -> str | None:
        if kind == "image":
            return f"/courses/{course.slug}/media/{path}"
        found = _target(course, path, by_folder)
        return f"/courses/{found[0].slug}/{found[1]}" if found else None

    return resolve


def _check_targets(course, lesson, by_folder, problems: list[str]) -> None:
    for line, target in lesson.rendered.links:
        path = target.split("#")[0]
        if path and _target(course, posixpath.normpath(path), by_folder) is None:
            problems.append(f"{lesson.file}:{line}: 链接 {target} 指向的课时不存在")
    for line, target in lesson.rendered.images:
        file = (course.folder / target).resolve()
        if course.folder.resolve() not in file.parents or not file.is_file() \
                or file.suffix.lower() not in IMAGE_TYPES:
            problems.append(f"{lesson.file}:{line}: 图片 {target} 不存在或类型不允许")
