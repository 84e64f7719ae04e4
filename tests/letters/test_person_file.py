"""The person file: a valid one loads; every bad field is refused with its name."""

from __future__ import annotations

import io
import os

import pytest
from PIL import Image, ImageDraw

from bot.errors import InputError
from bot.letters.person_file import MAX_SIGNATURE_BYTES, load_person_file

VALID = '''name = "Ann Example"
address = ["12 Main St", "Chicago, IL 60601"]
email = "ann@example.org"
residence = "US-IL"
uploaded_from = "US-CA"
flickr = ["12345678@N00"]
'''


def write(folder, text, name="PERSON.toml"):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def png(size=(200, 60)) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", size, 255).save(buffer, "PNG")
    return buffer.getvalue()


def signed_png(size=(200, 60)) -> bytes:
    """A signature: a dark zigzag on white."""
    image = Image.new("L", size, 255)
    w, h = size
    ImageDraw.Draw(image).line([(w // 10, h * 3 // 4), (w // 3, h // 4), (w // 2, h * 3 // 4),
                                (w * 9 // 10, h // 3)], fill=20, width=3)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def jpeg(size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 80, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_the_documented_example_loads(project_root):
    loaded = load_person_file(project_root / "docs" / "person-example.toml")
    assert loaded.person.name == "Ann Example" and loaded.person.residence == "US-IL"
    assert loaded.flickr and loaded.person.bipa_choice == "preserve"
    assert loaded.person.shown == "me" and loaded.person.verification


def test_valid_file_with_photos_and_signature(tmp_path):
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "me.jpg").write_bytes(jpeg())
    (tmp_path / "sig.png").write_bytes(signed_png())
    path = write(tmp_path, VALID + 'photos = ["pics/me.jpg"]\nsignature = "sig.png"\n'
                 'bipa_choice = "preserve"\ncompanies = ["meta"]\nkinds = ["bipa-demand"]\n')
    loaded = load_person_file(path)
    person = loaded.person
    assert person.address == ("12 Main St", "Chicago, IL 60601")
    assert person.uploaded_from == "US-CA" and person.bipa_choice == "preserve"
    assert person.signature == signed_png() and person.companies == ("meta",)
    assert person.kinds == ("bipa-demand",)
    assert loaded.photos == ((tmp_path / "pics" / "me.jpg").resolve(),)
    assert loaded.read_photos(10_000) == [("me.jpg", jpeg())]
    with pytest.raises(InputError, match="photos: me.jpg: file too large"):
        loaded.read_photos(5)


@pytest.mark.parametrize("change, message", [
    (('email = "ann@example.org"', 'email = "ann@"'), "^email: 'ann@' is not an email address"),
    (('email = "ann@example.org"', 'email = "ann@example.org\\nBcc: x@y.z"'), "^email: contains a line break"),
    (('email = "ann@example.org"', 'email = "a b@example.org"'), "^email: "),
    (('email = "ann@example.org"', ''), "^email: must be an email address"),
    (('residence = "US-IL"', 'residence = "US-XX"'), "^residence: 'US-XX' is not a known region code"),
    (('residence = "US-IL"', 'residence = "US"'), "^residence: give the US state"),
    (('residence = "US-IL"', 'residence = "Illinois"'), "^residence: "),
    (('residence = "US-IL"', 'residence = 5'), "^residence: must be a region code"),
    (('uploaded_from = "US-CA"', 'uploaded_from = "ZZ"'), "^uploaded_from: "),
    (('name = "Ann Example"', 'name = "Ann\\r\\nBcc: x"'), "^name: contains a line break"),
    (('name = "Ann Example"', 'name = "Ann\\u202eelpmaxE"'),
     r"^name: contains an invisible character \(U\+202E RIGHT-TO-LEFT OVERRIDE\) at position 4"),
    (('name = "Ann Example"', 'name = ""'), "^name: must not be empty"),
    (('name = "Ann Example"', 'name = "' + "A" * 201 + '"'), "^name: too long"),
    (('name = "Ann Example"', 'name = ["Ann"]'), "^name: must be text"),
    (('address = ["12 Main St", "Chicago, IL 60601"]', 'address = []'), "^address: must have at least one line"),
    (('address = ["12 Main St", "Chicago, IL 60601"]', 'address = "12 Main St"'), "^address: must be a list"),
    (('address = ["12 Main St", "Chicago, IL 60601"]', 'address = [' + ', '.join(['"x"'] * 7) + ']'),
     r"^address: at most 6 lines \(got 7\)"),
    (('flickr = ["12345678@N00"]', ''), "give at least one Flickr account"),
    (('flickr = ["12345678@N00"]', 'flickr = ["x"]\nbipa_choice = "shred"'), '^bipa_choice: must be "destroy" or "preserve"'),
    (('flickr = ["12345678@N00"]', 'flickr = ["x"]\nshown = "maybe"'), '^shown: must be "me"'),
    (('flickr = ["12345678@N00"]', 'flickr = ["x"]\nshown = ["me"]'), '^shown: must be "me"'),
    (('flickr = ["12345678@N00"]', 'flickr = ["x"]\nshown = "not-me"\nshown_photos = ["1"]'),
     '^shown_photos: only with shown = "me" or "child"'),
    (('flickr = ["12345678@N00"]', 'flickr = ["x"]\nshown = "me"\nshown_photos = ["{{ x }}"]'),
     r"^shown_photos\[0\]: '\{\{ x \}\}' is not a photo ID or a photo link"),
    (('flickr = ["12345678@N00"]', 'flickr = ["x"]\nshown = "me"\nshown_photos = ["1\\n2"]'),
     r"^shown_photos\[0\]: contains a line break"),
    (('flickr = ["12345678@N00"]', 'flickr = ["x"]\nshown = "me"\nshown_photos = "all"'),
     '^shown_photos: a list of photo IDs or links'),
    (('flickr = ["12345678@N00"]', 'flickr = ["x"]\nshown = "me"\nchild_name = "Mia"'),
     '^child_name: only with shown = "child"'),
    (('flickr = ["12345678@N00"]', 'flickr = ["x"]\nshown = "child"\nchild_name = "Mia\\u2028x"'),
     '^child_name: contains a line break'),
    (('flickr = ["12345678@N00"]', 'flickr = ["x"]\nverification = "yes"'), '^verification: must be true or false'),
    (('flickr = ["12345678@N00"]', 'flickr = ["x"]\ncompanies = ["../etc"]'), r"^companies\[0\]: '../etc' is not a slug"),
    (('flickr = ["12345678@N00"]', 'flickr = ["x"]\nnickname = "A"'), "^nickname: unknown key"),
    (('flickr = ["12345678@N00"]', 'photos = ["/etc/passwd"]'), r"^photos\[0\]: use a path relative"),
    (('flickr = ["12345678@N00"]', 'photos = ["../outside.jpg"]'), r"^photos\[0\]: '../outside.jpg' points outside"),
    (('flickr = ["12345678@N00"]', 'photos = ["missing.jpg"]'), r"^photos\[0\]: file not found"),
    (('flickr = ["12345678@N00"]', 'flickr = ["x"]\nsignature = "~/sig.png"'), "^signature: use a path relative"),
    (('flickr = ["12345678@N00"]', 'flickr = ["x"]\nsignature = "nope.png"'), "^signature: file not found"),
    (('flickr = ["12345678@N00"]', 'flickr = ["x"]\nsignature = 3'), '^signature: "typed", or the path'),
])
def test_bad_fields_are_named(tmp_path, change, message):
    old, new = change
    assert old in VALID
    path = write(tmp_path, VALID.replace(old, new))
    with pytest.raises(InputError, match=message):
        load_person_file(path)


def test_who_is_shown_and_which_photos(tmp_path):
    path = write(tmp_path, VALID + 'shown = "child"\nchild_name = " Mia  Example "\n'
                 'shown_photos = ["https://www.flickr.com/photos/12345678@N00/1808093328/", '
                 '"2475911230", "https://flic.kr/p/7Afjsu", "2475911230"]\nverification = false\n')
    person = load_person_file(path).person
    assert person.shown == "child" and person.child_name == "Mia  Example"
    assert person.shown_photos == ("1808093328", "2475911230", "4325695128")   # deduplicated
    assert not person.shown_some and not person.verification
    some = load_person_file(write(tmp_path, VALID + 'shown = "me"\nshown_photos = "some"\n')).person
    assert some.shown_some and some.shown_photos == ()
    unsaid = load_person_file(write(tmp_path, VALID)).person
    assert unsaid.shown == "" and unsaid.bipa_choice == ""   # asked for / defaulted later


def test_symlink_out_of_the_folder_is_refused(tmp_path):
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(b"x")
    inner = tmp_path / "inner"
    inner.mkdir()
    os.symlink(outside, inner / "link.jpg")
    path = write(inner, VALID + 'photos = ["link.jpg"]\n')
    with pytest.raises(InputError, match="points outside"):
        load_person_file(path)


def test_bad_signature_images(tmp_path):
    (tmp_path / "big.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * MAX_SIGNATURE_BYTES)
    (tmp_path / "text.png").write_bytes(b"hello")
    (tmp_path / "cut.png").write_bytes(png()[:60])
    (tmp_path / "huge.png").write_bytes(png((3000, 3000)))
    for name, message in [("big.png", "file too large"), ("text.png", "must be a PNG or JPEG"),
                          ("cut.png", "damaged"), ("huge.png", "3000x3000 pixels")]:
        path = write(tmp_path, VALID + f'signature = "{name}"\n')
        with pytest.raises(InputError, match=f"^signature: .*{message}"):
            load_person_file(path)


def test_broken_files(tmp_path):
    with pytest.raises(InputError, match="person file not found"):
        load_person_file(tmp_path / "nope.toml")
    (tmp_path / "bad.toml").write_bytes(b'name = "\xff"')
    with pytest.raises(InputError, match="not UTF-8"):
        load_person_file(tmp_path / "bad.toml")
    write(tmp_path, "name = ", "broken.toml")
    with pytest.raises(InputError, match="not valid TOML"):
        load_person_file(tmp_path / "broken.toml")
    write(tmp_path, "# " + "x" * 300_000, "big.toml")
    with pytest.raises(InputError, match="too large"):
        load_person_file(tmp_path / "big.toml")


def test_non_latin_values_are_kept(tmp_path):
    path = write(tmp_path, VALID.replace("Ann Example", "Анна Иванова").replace(
        "12 Main St", "Οδός Ερμού 5"))
    person = load_person_file(path).person
    assert person.name == "Анна Иванова" and person.address[0] == "Οδός Ερμού 5"


def test_flickr_entries_are_read_and_name_the_accounts(tmp_path):
    path = write(tmp_path, VALID.replace('flickr = ["12345678@N00"]', 'flickr = ['
                 '"https://www.flickr.com/photos/99999999@N05/1808093328/", "12345678@N00", '
                 '"https://www.flickr.com/photos/janedoe/", "1808093328"]'))
    assert load_person_file(path).person.flickr_accounts == ("99999999@N05", "12345678@N00", "janedoe")
    path = write(tmp_path, VALID.replace('flickr = ["12345678@N00"]', 'flickr = ["ok", "javascript:alert(1)"]'))
    with pytest.raises(InputError, match=r"^flickr\[1\]: "):
        load_person_file(path)
