//! The message model: everything a peer sent, in the order it was sent.

use std::borrow::Cow;

use super::code::{FieldId, MessageCode};
use super::spec::{self, MessageSpec};

/// One SIP2 message: code, fixed part, tagged fields in wire order, and the error-detection trailer.
///
/// Borrows from the text it was parsed from; [`Message::into_owned`] makes the copy that results keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message<'a> {
    /// The two-character command code (known or not).
    pub code: MessageCode,
    /// The fixed part exactly as sent (fields concatenated, no IDs).
    pub fixed: Cow<'a, str>,
    /// Tagged fields in wire order, repeats and unknown IDs included; AY/AZ are in `trailer`.
    pub fields: Vec<Field<'a>>,
    /// The `AY<d>AZ<hhhh>` trailer, when the message carried one.
    pub trailer: Option<Trailer<'a>>,
}

/// One tagged field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field<'a> {
    /// Its two-character ID.
    pub id: FieldId,
    /// Its value, without the delimiter.
    pub value: Cow<'a, str>,
}

/// The error-detection trailer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trailer<'a> {
    /// The AY sequence digit, if AY was present.
    pub seq: Option<u8>,
    /// The four characters after AZ, as sent.
    pub checksum: Cow<'a, str>,
}

/// A message that owns its text.
pub type OwnedMessage = Message<'static>;

impl<'a> Message<'a> {
    /// A message with `code`, fixed part `fixed` and no tagged fields.
    pub fn new(code: MessageCode, fixed: impl Into<Cow<'a, str>>) -> Self {
        Message {
            code,
            fixed: fixed.into(),
            fields: Vec::new(),
            trailer: None,
        }
    }

    /// Appends a tagged field (builder style).
    pub fn with(mut self, id: FieldId, value: impl Into<Cow<'a, str>>) -> Self {
        self.fields.push(Field {
            id,
            value: value.into(),
        });
        self
    }

    /// Appends a tagged field.
    pub fn push(&mut self, id: FieldId, value: impl Into<Cow<'a, str>>) {
        self.fields.push(Field {
            id,
            value: value.into(),
        });
    }

    /// The spec of this message's code, if it is one of the 31.
    pub fn spec(&self) -> Option<&'static MessageSpec> {
        spec::message(self.code)
    }

    /// The value of fixed field `key` ("ok", "transaction_date", or the spec name), if the fixed part holds it.
    pub fn fixed_field(&self, key: &str) -> Option<&str> {
        let (offset, f) = self.spec()?.fixed_field(key)?;
        self.fixed.get(offset..offset + f.len)
    }

    /// Every fixed field of the spec with the value found for it (None where the fixed part is too short).
    pub fn fixed_fields(&self) -> Vec<(&'static spec::FixedSpec, Option<&str>)> {
        let mut offset = 0;
        let mut out = Vec::new();
        if let Some(spec) = self.spec() {
            for f in spec.fixed {
                out.push((f, self.fixed.get(offset..offset + f.len)));
                offset += f.len;
            }
        }
        out
    }

    /// The first value of field `id`.
    pub fn field(&self, id: FieldId) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.value.as_ref())
    }

    /// Every value of field `id`, in wire order.
    pub fn field_all(&self, id: FieldId) -> impl Iterator<Item = &str> {
        self.fields
            .iter()
            .filter(move |f| f.id == id)
            .map(|f| f.value.as_ref())
    }

    /// A copy that borrows nothing.
    pub fn into_owned(self) -> OwnedMessage {
        Message {
            code: self.code,
            fixed: Cow::Owned(self.fixed.into_owned()),
            fields: self
                .fields
                .into_iter()
                .map(|f| Field {
                    id: f.id,
                    value: Cow::Owned(f.value.into_owned()),
                })
                .collect(),
            trailer: self.trailer.map(|t| Trailer {
                seq: t.seq,
                checksum: Cow::Owned(t.checksum.into_owned()),
            }),
        }
    }
}
