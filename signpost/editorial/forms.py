"""The editorial forms. A resource form reads and writes an interchange record, so that the
catalogue's one validation (the import's) decides what may be published."""

from __future__ import annotations

import re
from collections.abc import Container
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.translation import get_language, gettext, gettext_lazy

from signpost.catalogue.files import FileRefused
from signpost.catalogue.interchange import Problem
from signpost.catalogue.models import (
    Audience,
    Format,
    Language,
    Organisation,
    OrganisationRole,
    ResourceType,
    StoredFile,
)
from signpost.documents.reader import label_of
from signpost.documents.services import upload_store
from signpost.documents.uploads import size_label, too_large_message
from signpost.site.languages import own_name

from .models import Role

MAX_VERSIONS = 20


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class ResourceForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    summary = forms.CharField(
        label=gettext_lazy("Summary"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text=gettext_lazy(
            "Plain text in your own words. Leave a blank line between paragraphs."
        ),
    )
    resource_type = forms.ChoiceField(
        # Translators: the type of a resource (a report, a leaflet...), a form field's label.
        label=gettext_lazy("Type"),
        choices=ResourceType.choices,
    )
    published = forms.CharField(
        label=gettext_lazy("Date published"),
        required=False,
        max_length=10,
        help_text=gettext_lazy("As precisely as you know it: 2021, 2021-04 or 2021-04-12."),
    )
    publisher = forms.ModelChoiceField(
        label=gettext_lazy("Publisher"), queryset=Organisation.objects.none(), empty_label=None
    )
    partners = forms.CharField(
        label=gettext_lazy("Other organisations"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One per line: partners, funders or co-authors."),
    )
    topics = forms.CharField(
        label=gettext_lazy("Topics"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One per line, for example: Child trafficking."),
    )
    audiences = forms.MultipleChoiceField(
        label=gettext_lazy("Audiences"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[],
    )
    countries = forms.CharField(
        label=gettext_lazy("Countries"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("One per line."),
    )
    access_note = forms.CharField(
        label=gettext_lazy("Access note"),
        required=False,
        max_length=300,
        help_text=gettext_lazy(
            "Anything a reader needs to know first, for example: free registration required."
        ),
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["publisher"].queryset = organisations  # type: ignore[attr-defined]
        # Chosen by their English names (the record's), shown in the page's language.
        language = get_language() or ""
        self.fields["audiences"].choices = [  # type: ignore[attr-defined]
            (audience.name, audience.name_in(language))
            for audience in Audience.objects.order_by("name")
        ]

    @classmethod
    def initial_from(cls, record: dict[str, Any]) -> dict[str, Any]:
        organisations = record.get("organisations") or []
        publisher = next((o for o in organisations if o.get("role") == "publisher"), None)
        others = [o for o in organisations if o is not publisher]
        publisher_pk = None
        if publisher:
            publisher_pk = (
                Organisation.objects.filter(name__iexact=publisher["name"])
                .values_list("pk", flat=True)
                .first()
            )
        return {
            "title": record.get("title", ""),
            "summary": record.get("summary", ""),
            "resource_type": record.get("resource_type", ""),
            "published": record.get("published") or "",
            "publisher": publisher_pk,
            "partners": "\n".join(o["name"] for o in others),
            "topics": "\n".join(record.get("topics") or []),
            "audiences": record.get("audiences") or [],
            "countries": "\n".join(record.get("countries") or []),
            "access_note": record.get("access_note", ""),
        }

    def record(self, kept: dict[str, Any]) -> dict[str, Any]:
        """The interchange record this form describes; `kept` supplies what it does not show."""
        data = self.cleaned_data
        publisher = data["publisher"]
        organisations = [{"name": publisher.name, "role": OrganisationRole.PUBLISHER}]
        known_roles = {
            o["name"].lower(): o["role"]
            for o in kept.get("organisations") or []
            if o.get("role") != OrganisationRole.PUBLISHER
        }
        for name in _lines(data["partners"]):
            if name.lower() != publisher.name.lower():
                role = known_roles.get(name.lower(), OrganisationRole.PARTNER)
                organisations.append({"name": name, "role": role})
        return {
            **{k: v for k, v in kept.items() if k not in ("versions",)},
            "title": data["title"],
            "summary": data["summary"].replace("\r\n", "\n"),
            "resource_type": data["resource_type"],
            "published": data["published"] or None,
            "organisations": organisations,
            "topics": _lines(data["topics"]),
            "audiences": list(data["audiences"]),
            "countries": _lines(data["countries"]),
            "access_note": data["access_note"],
        }


class VersionForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=[])
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=Format.choices)
    url = forms.CharField(
        # Translators: a web address (URL), a form field's label.
        label=gettext_lazy("Address"),
        required=False,
        max_length=500,
        help_text=gettext_lazy(
            "The document's own address (https://...). Leave empty if it has none yet."
        ),
    )
    title = forms.CharField(
        label=gettext_lazy("Title in this language"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Only where it differs from the title above."),
    )
    upload = forms.FileField(
        label=gettext_lazy("Or upload the file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.odt,.pptx,.png,.jpg,.jpeg"}),
    )
    file = forms.CharField(widget=forms.HiddenInput, required=False)
    remove_file = forms.BooleanField(
        label=gettext_lazy("Remove the file from this version"), required=False
    )

    def __init__(self, *args: Any, too_large: Container[str] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.too_large = self.add_prefix("upload") in too_large
        # Written here, not with the field: the limit's unit is in the request's language.
        self.fields["upload"].help_text = gettext(
            "A PDF, Word (DOCX), OpenDocument text, PowerPoint (PPTX), PNG or JPEG file, "
            "up to %(size)s. Only when it has no address of its own."
        ) % {"size": size_label(settings.DOCUMENT_MAX_BYTES)}
        if self["file"].value():
            self.fields["upload"].label = gettext("Replace the file with another")
        self.fields["language"].choices = [  # type: ignore[attr-defined]
            ("", gettext("Choose a language")),
            *Language.objects.order_by("name_en").values_list("code", "name_en"),
        ]
        self.fields["language"].required = False
        self.fields["format"].required = False

    def clean_upload(self) -> Any:
        if self.too_large:
            raise ValidationError(too_large_message())
        return self.cleaned_data.get("upload")

    def clean(self) -> dict[str, Any]:
        """An uploaded file is checked and stored at once, so that it is kept (and named in
        the form) even when another field needs correcting."""
        data = super().clean() or {}
        upload = data.get("upload")
        if data.get("remove_file") and not upload:
            if not data.get("url", "").strip():
                self.add_error(
                    "url",
                    gettext(
                        "Give this version's address before removing its file, or clear its "
                        "language to remove the whole version."
                    ),
                )
                return data
            data["file"] = ""
            self._name_file("")
        if upload and data.get("url", "").strip():
            self.add_error("upload", gettext("Give an address or upload a file, not both."))
        elif data.get("file") and data.get("url", "").strip():
            self.add_error(
                "url",
                gettext(
                    "This version holds a file. To give an address instead, tick "
                    "“Remove the file from this version”."
                ),
            )
        elif upload:
            try:
                data["file"] = upload_store(upload)
                self._name_file(data["file"])
            except FileRefused as refused:
                self.add_error(
                    "upload",
                    # Translators: the file's name, then why it was refused (a sentence or two).
                    gettext("“%(name)s” was not accepted. %(reason)s")
                    % {"name": upload.name, "reason": refused},
                )
        if data.get("file") and not data.get("language"):
            self.add_error("language", gettext("Choose the language the file is in."))
        return data

    def _name_file(self, name: str) -> None:
        """Shown again with the form's other answers, the form names the file it holds now."""
        if isinstance(self.data, QueryDict):
            self.data = self.data.copy()
            self.data[self.add_prefix("file")] = name
            self.data.pop(self.add_prefix("remove_file"), None)

    @property
    def stored_kind(self) -> str:
        stored = self.stored
        return gettext(label_of(stored.media_type)) if stored else ""

    @cached_property
    def stored(self) -> StoredFile | None:
        """The stored file this version holds, to name it beside the form."""
        name = (self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}).get(
            "file"
        ) or self["file"].value()
        return StoredFile.objects.filter(name=name).first() if name else None

    def item(self) -> dict[str, str] | None:
        data = self.cleaned_data
        if not data or (not data.get("language") and not data.get("url")):
            return None
        item = {"language": data.get("language", ""), "format": data.get("format", "")}
        if data.get("file"):
            item["file"] = data["file"]
        else:
            item["url"] = data.get("url", "").strip()
        if data.get("title"):
            item["title"] = data["title"]
        return item


VersionFormSet = formset_factory(VersionForm, extra=1, max_num=MAX_VERSIONS, absolute_max=50)


def versions_initial(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "language": v.get("language", ""),
            "format": v.get("format", ""),
            "url": v.get("url", ""),
            "title": v.get("title", ""),
            "file": v.get("file", ""),
        }
        for v in record.get("versions") or []
    ]


_FIELD_OF_PROBLEM = {
    "title": "title",
    "summary": "summary",
    "resource_type": "resource_type",
    "published": "published",
    "topics": "topics",
    "audiences": "audiences",
    "countries": "countries",
    "access_note": "access_note",
}


def problems_to_forms(problems: list[Problem], form: ResourceForm, versions: Any) -> None:
    """Put the catalogue's validation problems beside the fields they are about."""
    kept_versions = [f for f in versions.forms if f.cleaned_data and f.item() is not None]
    for problem in problems:
        match = re.match(r"versions\[(\d+)\](?:\.(\w+))?", problem.field)
        if match and int(match.group(1)) < len(kept_versions):
            target = kept_versions[int(match.group(1))]
            name = match.group(2) if match.group(2) in target.fields else None
            target.add_error(name, problem.message)
            continue
        head = re.split(r"[.\[]", problem.field)[0]
        if head == "organisations":
            form.add_error("partners", problem.message)
        elif head == "versions":
            form.add_error(None, gettext("Versions: %(problem)s") % {"problem": problem.message})
        else:
            form.add_error(_FIELD_OF_PROBLEM.get(head), problem.message)


class MessageForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("Message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=gettext_lazy("The owner sees this message."),
    )


class AgreementForm(forms.Form):
    given_by = forms.CharField(
        label=gettext_lazy("Who agreed"),
        max_length=200,
        help_text=gettext_lazy("Their name and organisation."),
    )
    given_on = forms.DateField(
        label=gettext_lazy("When they agreed"), help_text=gettext_lazy("For example 2026-11-28.")
    )
    how = forms.CharField(
        label=gettext_lazy("How they agreed"),
        max_length=300,
        help_text=gettext_lazy("For example: by email to the office."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = forms.FileField(label=gettext_lazy("Evidence (optional)"), required=False)

    def clean_evidence(self) -> Any:
        evidence = self.cleaned_data.get("evidence")
        if evidence and evidence.size > 10 * 1024 * 1024:
            raise ValidationError(gettext("The evidence file must be smaller than 10 MB."))
        return evidence


class InvitationForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email address"))
    role = forms.ChoiceField(
        label=gettext_lazy("Role"),
        choices=[
            (Role.OWNER, gettext_lazy("Owner at a partner organisation")),
            (Role.EDITOR, Role.EDITOR.label),
        ],
        widget=forms.RadioSelect,
        initial=Role.OWNER,
    )
    organisations = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Organisations"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        help_text=gettext_lazy(
            "The organisations an owner works for (hold Ctrl or Cmd to choose several)."
        ),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        help_text=gettext_lazy(
            "The invitation is written in it, and its link opens Signpost in it. They can "
            "change it when they sign in."
        ),
        choices=lambda: [(code, own_name(code)) for code, _ in settings.LANGUAGES],
        initial=settings.LANGUAGE_CODE,
        required=False,
    )

    def clean_language(self) -> str:
        return self.cleaned_data.get("language") or settings.LANGUAGE_CODE

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") == Role.OWNER and not data.get("organisations"):
            self.add_error(
                "organisations", gettext("Choose at least one organisation for an owner.")
            )
        return data


class SetPasswordForm(forms.Form):
    username = forms.CharField(
        label=gettext_lazy("Username"),
        max_length=150,
        help_text=gettext_lazy("Letters, digits and @ . + - _ only."),
    )
    password = forms.CharField(
        label=gettext_lazy("Password"),
        widget=forms.PasswordInput,
        help_text=gettext_lazy("At least 12 characters."),
    )
    password_again = forms.CharField(
        label=gettext_lazy("Password again"), widget=forms.PasswordInput
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", gettext("The two passwords are not the same."))
        return data


class SignInForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    password = forms.CharField(label=gettext_lazy("Password"), widget=forms.PasswordInput)


class CodeForm(forms.Form):
    code = forms.CharField(
        # Translators: a sign-in code from an authenticator app, a form field's label.
        label=gettext_lazy("Code"),
        max_length=16,
        help_text=gettext_lazy(
            "The 6-digit code from your authenticator app, or one of your recovery codes."
        ),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
