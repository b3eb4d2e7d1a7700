//! A small YAML tree with line numbers, tags and shared aliases, for the
//! Compose and workflow readers.
//!
//! yaml-rust2's own `Yaml` value copies every alias and has no line
//! numbers; this tree keeps each node once ([`Rc`]) however often it is
//! aliased (an alias bomb costs nothing), records the line where each node
//! starts, the tag as written (`!reset`), and whether a scalar was plain.
//! Nesting is bounded, duplicate keys are errors (as in Compose), and
//! `<<` merge keys are applied by [`pairs`] with a budget. It is not a YAML
//! library: no type resolution beyond "null", no multi-document streams.

use std::collections::HashMap;
use std::rc::Rc;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// One YAML node. Aliases share the anchored node (`Rc`), so a file that
/// repeats an alias many times costs no copies.
#[derive(Debug)]
pub(super) struct Node {
    pub(super) value: Value,
    /// 1-based line where the node starts.
    pub(super) line: usize,
    /// The tag as written (`!reset`), if any.
    pub(super) tag: Option<String>,
}

#[derive(Debug)]
pub(super) enum Value {
    /// `plain`: written without quotes or block indicator.
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Rc<Node>>),
    Map(Vec<(Rc<Node>, Rc<Node>)>),
}

impl Node {
    /// The text of a scalar that is not null.
    pub(super) fn text(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, plain } if !(*plain && is_null(text)) => Some(text),
            _ => None,
        }
    }

    pub(super) fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, plain: true } if is_null(text))
    }

    pub(super) fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }
}

fn is_null(plain: &str) -> bool {
    matches!(plain, "" | "~" | "null" | "Null" | "NULL")
}

/// Deeper nesting than this is refused (it would only serve to exhaust the
/// stack when the tree is dropped).
const MAX_NESTING: usize = 256;

/// An open sequence or mapping while loading.
struct Frame {
    node: Node,
    anchor: usize,
    key: Option<Rc<Node>>,
}

/// Builds a [`Node`] tree from the parser's events.
#[derive(Default)]
struct Loader {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Rc<Node>>,
    root: Option<Rc<Node>>,
    /// The first problem: line, column (1-based), message.
    error: Option<(usize, usize, String)>,
}

impl MarkedEventReceiver for Loader {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        match ev {
            Event::SequenceStart(anchor, tag) => {
                self.open(Value::Seq(Vec::new()), anchor, tag, mark);
            }
            Event::MappingStart(anchor, tag) => {
                self.open(Value::Map(Vec::new()), anchor, tag, mark);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(frame) = self.stack.pop() {
                    self.insert(frame.node, frame.anchor, mark);
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let node = Node {
                    value: Value::Scalar {
                        text,
                        plain: style == TScalarStyle::Plain,
                    },
                    line: mark.line(),
                    tag: tag_text(tag),
                };
                self.insert(node, anchor, mark);
            }
            Event::Alias(id) => match self.anchors.get(&id).cloned() {
                Some(node) => self.insert_rc(node, mark),
                None => self.fail(mark, "unknown alias".to_string()),
            },
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => {}
        }
    }
}

fn tag_text(tag: Option<yaml_rust2::parser::Tag>) -> Option<String> {
    tag.map(|t| t.handle + &t.suffix)
}

impl Loader {
    fn open(
        &mut self,
        value: Value,
        anchor: usize,
        tag: Option<yaml_rust2::parser::Tag>,
        mark: Marker,
    ) {
        if self.stack.len() >= MAX_NESTING {
            self.fail(mark, format!("nested deeper than {MAX_NESTING} levels"));
            return;
        }
        self.stack.push(Frame {
            node: Node {
                value,
                line: mark.line(),
                tag: tag_text(tag),
            },
            anchor,
            key: None,
        });
    }

    fn insert(&mut self, node: Node, anchor: usize, mark: Marker) {
        let node = Rc::new(node);
        // Anchor ids start at 1; 0 means none.
        if anchor > 0 {
            self.anchors.insert(anchor, Rc::clone(&node));
        }
        self.insert_rc(node, mark);
    }

    fn insert_rc(&mut self, node: Rc<Node>, mark: Marker) {
        let Some(frame) = self.stack.last_mut() else {
            if self.root.is_none() {
                self.root = Some(node);
            }
            return;
        };
        let duplicate = match &mut frame.node.value {
            Value::Seq(items) => {
                items.push(node);
                None
            }
            Value::Map(pairs) => match frame.key.take() {
                None => {
                    frame.key = Some(node);
                    None
                }
                Some(key) => {
                    let dup = scalar(&key)
                        .filter(|k| *k != "<<")
                        .filter(|k| pairs.iter().any(|(o, _)| scalar(o) == Some(k)))
                        .map(|k| (key.line, k.to_string()));
                    pairs.push((key, node));
                    dup
                }
            },
            // Only collections are pushed on the stack.
            Value::Scalar { .. } => None,
        };
        if let Some((line, key)) = duplicate {
            self.error = Some((line, mark.col() + 1, format!("duplicate key `{key}`")));
        }
    }

    fn fail(&mut self, mark: Marker, message: String) {
        self.error = Some((mark.line(), mark.col() + 1, message));
    }
}

/// The text of any scalar, null included.
pub(super) fn scalar(node: &Node) -> Option<&str> {
    match &node.value {
        Value::Scalar { text, .. } => Some(text),
        _ => None,
    }
}

/// A YAML syntax problem: 1-based line and column, and the parser's words.
pub(super) type YamlError = (usize, usize, String);

/// Parses the first YAML document of `text`; `None` for an empty one.
pub(super) fn parse_yaml(text: &str) -> Result<Option<Rc<Node>>, YamlError> {
    let mut loader = Loader::default();
    let mut parser = Parser::new_from_str(text);
    if let Err(e) = parser.load(&mut loader, false) {
        let m = e.marker();
        return Err((m.line(), m.col() + 1, e.info().to_string()));
    }
    match loader.error {
        Some(err) => Err(err),
        None => Ok(loader.root),
    }
}

/// One key of a mapping after merge keys are applied.
#[derive(Debug)]
pub(super) struct Pair {
    pub(super) key: String,
    /// The key's line.
    pub(super) line: usize,
    pub(super) value: Rc<Node>,
}

/// How many keys one [`pairs`] call may visit, merged mappings included:
/// a guard against files that merge the same mappings over and over.
const MERGE_BUDGET: usize = 100_000;

/// The keys of a mapping with `<<` merge keys applied, as YAML 1.1 defines
/// them and Docker Compose applies them: the mapping's own keys win over
/// merged ones, and among `<<: [*a, *b]` the earlier mapping wins. Only a
/// plain (unquoted) `<<` merges. `None` when the node is not a mapping
/// (or when merging would visit more than [`MERGE_BUDGET`] keys).
/// yaml-rust2 resolves aliases but leaves `<<` as an ordinary key, hence
/// this.
pub(super) fn pairs(node: &Node) -> Option<Vec<Pair>> {
    let mut budget = MERGE_BUDGET;
    pairs_within(node, &mut budget)
}

fn pairs_within(node: &Node, budget: &mut usize) -> Option<Vec<Pair>> {
    let Value::Map(map) = &node.value else {
        return None;
    };
    let mut own: Vec<Pair> = Vec::with_capacity(map.len());
    let mut merged: Vec<&Rc<Node>> = Vec::new();
    for (k, v) in map {
        *budget = budget.checked_sub(1)?;
        let Value::Scalar { text, plain } = &k.value else {
            continue;
        };
        if *plain && text == "<<" {
            match &v.value {
                Value::Map(_) => merged.push(v),
                Value::Seq(items) => merged.extend(items.iter().filter(|i| i.is_map())),
                Value::Scalar { .. } => {}
            }
            continue;
        }
        own.push(Pair {
            key: text.clone(),
            line: k.line,
            value: Rc::clone(v),
        });
    }
    for m in merged {
        for p in pairs_within(m, budget)? {
            if !own.iter().any(|o| o.key == p.key) {
                own.push(p);
            }
        }
    }
    Some(own)
}

pub(super) fn get<'a>(pairs: &'a [Pair], key: &str) -> Option<&'a Pair> {
    pairs.iter().find(|p| p.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_tags_and_merge_keys() {
        let doc = parse_yaml("a: &x\n  k: 1\nb:\n  <<: *x\n  own: !reset 2\n")
            .unwrap()
            .unwrap();
        let top = pairs(&doc).unwrap();
        assert_eq!(
            top.iter()
                .map(|p| (p.key.as_str(), p.line))
                .collect::<Vec<_>>(),
            [("a", 1), ("b", 3)]
        );
        let b = pairs(&get(&top, "b").unwrap().value).unwrap();
        let keys: Vec<(&str, usize)> = b.iter().map(|p| (p.key.as_str(), p.line)).collect();
        assert_eq!(keys, [("own", 5), ("k", 2)]);
        assert_eq!(b[0].value.tag.as_deref(), Some("!reset"));
    }

    #[test]
    fn deep_nesting_duplicates_and_unknown_aliases_are_errors() {
        let deep = format!("a: {}{}\n", "[".repeat(1000), "]".repeat(1000));
        assert!(parse_yaml(&deep).is_err());
        assert_eq!(
            parse_yaml("a: 1\na: 2\n").unwrap_err().2,
            "duplicate key `a`"
        );
        assert!(parse_yaml("a: *nope\n").is_err());
        assert!(parse_yaml("").unwrap().is_none());
    }
}
