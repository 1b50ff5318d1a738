from service.text import text_direction


def test_direction_of_scripts():
    assert text_direction("مرحبا بالعالم") == "rtl"
    assert text_direction("שלום עולם") == "rtl"
    assert text_direction("12 — مرحبا") == "rtl"
    assert text_direction("ሰላም ዓለም") == "ltr"
    assert text_direction("नमस्ते दुनिया") == "ltr"
    assert text_direction("") == "ltr"


def test_markdown_literal_renders_as_the_text_itself():
    import html

    from markdown_it import MarkdownIt

    from service.text import markdown_literal

    renderer = MarkdownIt("commonmark")
    for label in ("**bold**", "[x](javascript:alert(1))", "B-PER_1 :smile: #3", "a\\b", "ጤና"):
        rendered = renderer.renderInline(markdown_literal(label))
        assert rendered == html.escape(label, quote=True).replace("&#x27;", "'"), label
