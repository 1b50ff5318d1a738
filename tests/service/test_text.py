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
