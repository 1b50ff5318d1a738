from service.text import escaped_block, text_direction


def test_direction_of_scripts():
    assert text_direction("مرحبا بالعالم") == "rtl"
    assert text_direction("שלום עולם") == "rtl"
    assert text_direction("12 — مرحبا") == "rtl"
    assert text_direction("ሰላም ዓለም") == "ltr"
    assert text_direction("नमस्ते दुनिया") == "ltr"
    assert text_direction("") == "ltr"


def test_escaped_block_escapes_markup_and_keeps_complex_script_intact():
    text = '<script>alert("x")</script> नमस्ते'
    block = escaped_block(text)
    assert "<script>" not in block
    assert "&lt;script&gt;" in block
    assert "नमस्ते" in block
    assert 'dir="ltr"' in block


def test_escaped_block_marks_rtl():
    assert 'dir="rtl"' in escaped_block("سلام")


def test_markdown_literal_renders_as_the_text_itself():
    import html

    from markdown_it import MarkdownIt

    from service.text import markdown_literal

    renderer = MarkdownIt("commonmark")
    for label in ("**bold**", "[x](javascript:alert(1))", "B-PER_1 :smile: #3", "a\\b", "ጤና"):
        rendered = renderer.renderInline(markdown_literal(label))
        assert rendered == html.escape(label, quote=True).replace("&#x27;", "'"), label


def test_bidi_overrides_show_as_marks_and_long_words_wrap() -> None:
    from service.text import escaped_block

    block = escaped_block("abc\u202edef")
    assert "\u202e" not in block and "abc[U+202E]def" in block
    assert "unicode-bidi: isolate" in block and "overflow-wrap: anywhere" in block
