//! A micro-frontend's wasm and JS glue as wasm-bindgen wrote them, with fewer bytes to ship:
//! - Shorter import names. wasm-bindgen names each import `__wbg_<name>_<16 hex digits>` (a hash
//!   that keeps crates' imports apart), in the wasm's import section and again in the JS. The
//!   digits do not compress: dropping them made mfe-payments' shipped gzip 3.1 KB smaller (1.7 KB
//!   of wasm, 1.4 KB of JS). Each name loses its hash, numbered (`__wbg_new_2`) where two would
//!   become one; both files change the same way.
//! - The glue without its comment lines and indentation (0.7 KB of mfe-payments' JS gzip).
//!   Trunk's JS minifier breaks the glue; this only drops whole lines of comments and the spaces
//!   that begin a line, which the glue's code (no multi-line strings) does not depend on.

use std::{collections::HashSet, fs, path::Path};

use crate::Result;

/// Slims the wasm at `wasm` and its JS glue at `js`, in place.
pub fn slim(js: &Path, wasm: &Path) -> Result {
    let module = fs::read(wasm).map_err(|error| format!("reading {}: {error}", wasm.display()))?;
    let glue = fs::read_to_string(js).map_err(|error| format!("reading {}: {error}", js.display()))?;
    let (module, glue) = shortened(&module, glue).map_err(|error| format!("{}: {error}", wasm.display()))?;
    fs::write(wasm, module)?;
    fs::write(js, without_comments_and_indentation(&glue))?;
    Ok(())
}

/// Redoes, in the page at `page`, the subresource-integrity hash (`integrity="sha384-…"`, which Trunk
/// wrote before this hook changed the files) of each tag that names one of `files`.
pub fn reseal(page: &Path, files: &[&Path]) -> Result {
    let mut html = fs::read_to_string(page).map_err(|error| format!("reading {}: {error}", page.display()))?;
    for file in files {
        let name = file.file_name().and_then(|name| name.to_str()).ok_or("a file without a name")?;
        html = resealed(&html, name, &integrity(&fs::read(file)?));
    }
    fs::write(page, html)?;
    Ok(())
}

/// `sha384-<base64>` of `content`, as a browser checks it.
fn integrity(content: &[u8]) -> String {
    use base64::{Engine, prelude::BASE64_STANDARD};
    use sha2::{Digest, Sha384};
    format!("sha384-{}", BASE64_STANDARD.encode(Sha384::digest(content)))
}

/// `html` with the integrity attribute of every tag whose `href` ends in `/<name>` set to `value`.
fn resealed(html: &str, name: &str, value: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').map_or(rest.len(), |end| start + end + 1);
        let tag = &rest[start..end];
        out.push_str(&rest[..start]);
        let names_file = tag.contains(&format!("/{name}\"")) || tag.contains(&format!("\"{name}\""));
        match (names_file, tag.find("integrity=\"")) {
            (true, Some(at)) => {
                let from = at + "integrity=\"".len();
                let to = tag[from..].find('"').map_or(tag.len(), |to| from + to);
                out.push_str(&tag[..from]);
                out.push_str(value);
                out.push_str(&tag[to..]);
            }
            _ => out.push_str(tag),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// `js` without the lines that are only a comment (`// …`, `/* … */` over one or more lines) and
/// without the spaces that begin each line.
fn without_comments_and_indentation(js: &str) -> String {
    let mut out = String::with_capacity(js.len());
    let mut in_comment = false;
    for line in js.lines() {
        let line = line.trim_start();
        let code = if in_comment || line.starts_with("/*") {
            // What follows the comment's end on its last line is code.
            let after = line.split_once("*/").map(|(_, after)| after.trim_start());
            in_comment = after.is_none();
            after.unwrap_or_default()
        } else {
            line
        };
        if !code.is_empty() && !code.starts_with("//") {
            out.push_str(code);
            out.push('\n');
        }
    }
    out
}

/// The module and its glue with the import names shortened.
fn shortened(module: &[u8], mut glue: String) -> std::result::Result<(Vec<u8>, String), String> {
    let mut reader = Reader { bytes: module, at: 8 };
    if module.get(..8) != Some(b"\0asm\x01\0\0\0".as_slice()) {
        return Err("not a WebAssembly module".into());
    }
    let mut out = module[..8].to_vec();
    while reader.at < module.len() {
        let id = reader.byte()?;
        let size = reader.u32()? as usize;
        let content = reader.take(size)?;
        let content = if id == IMPORT_SECTION { renamed_imports(content, &mut glue)? } else { content.to_vec() };
        out.push(id);
        write_u32(&mut out, len_u32(content.len())?);
        out.extend(content);
    }
    Ok((out, glue))
}

const IMPORT_SECTION: u8 = 2;

/// The import section with each hashed name shortened, and the glue's uses of it with it.
fn renamed_imports(section: &[u8], glue: &mut String) -> std::result::Result<Vec<u8>, String> {
    let mut reader = Reader { bytes: section, at: 0 };
    let count = reader.u32()?;
    let mut imports = Vec::new();
    for _ in 0..count {
        let module = reader.name()?;
        let name = reader.name()?;
        let start = reader.at;
        reader.skip_descriptor()?;
        imports.push((module, name, &section[start..reader.at]));
    }
    let mut taken: HashSet<String> = imports.iter().map(|(_, name, _)| name.clone()).collect();
    let mut out = Vec::new();
    write_u32(&mut out, count);
    for (module, name, descriptor) in imports {
        let name = match unhashed(&name) {
            Some(short) => {
                let short = (1..)
                    .map(|n| if n == 1 { short.to_owned() } else { format!("{short}_{n}") })
                    .find(|candidate| !taken.contains(candidate))
                    .unwrap_or_default();
                if !glue.contains(&name) {
                    return Err(format!("the JS glue does not name the import {name}"));
                }
                *glue = glue.replace(&name, &short);
                taken.insert(short.clone());
                short
            }
            None => name,
        };
        for text in [&module, &name] {
            write_u32(&mut out, len_u32(text.len())?);
            out.extend(text.as_bytes());
        }
        out.extend(descriptor);
    }
    Ok(out)
}

/// `__wbg_<name>` for `__wbg_<name>_<16 lower-case hex digits>`.
fn unhashed(name: &str) -> Option<&str> {
    let (short, hash) = name.rsplit_once('_')?;
    let hashed = hash.len() == 16 && hash.bytes().all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'));
    (hashed && short.starts_with("__wbg_") && short.len() > "__wbg_".len()).then_some(short)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> std::result::Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn take(&mut self, n: usize) -> std::result::Result<&'a [u8], String> {
        let taken = self.bytes.get(self.at..self.at + n).ok_or("the module ends too early")?;
        self.at += n;
        Ok(taken)
    }

    /// An unsigned LEB128 number.
    fn u32(&mut self) -> std::result::Result<u32, String> {
        let mut value = 0u32;
        for shift in (0..35).step_by(7) {
            let byte = self.byte()?;
            value |= u32::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("a number longer than 32 bits".into())
    }

    fn name(&mut self) -> std::result::Result<String, String> {
        let size = self.u32()? as usize;
        String::from_utf8(self.take(size)?.to_vec()).map_err(|_| "a name that is not UTF-8".to_owned())
    }

    /// What is imported: a function, table, memory, global or tag, with its type.
    fn skip_descriptor(&mut self) -> std::result::Result<(), String> {
        match self.byte()? {
            0x00 => self.u32().map(drop),
            0x01 => {
                self.byte()?;
                self.skip_limits()
            }
            0x02 => self.skip_limits(),
            0x03 => self.take(2).map(drop),
            0x04 => self.take(1).and_then(|_| self.u32()).map(drop),
            kind => Err(format!("an import of unknown kind {kind}")),
        }
    }

    fn skip_limits(&mut self) -> std::result::Result<(), String> {
        let flags = self.byte()?;
        self.u32()?;
        if flags & 1 == 1 {
            self.u32()?;
        }
        Ok(())
    }
}

fn write_u32(out: &mut Vec<u8>, mut value: u32) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn len_u32(len: usize) -> std::result::Result<u32, String> {
    u32::try_from(len).map_err(|_| "a section over 4 GiB".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reseal_sets_the_integrity_of_the_tags_naming_the_file_only() {
        let page = r#"<link rel="modulepreload" href="/mfe-shell-1a.js" crossorigin="anonymous" integrity="sha384-old">
<link rel="preload" href="/mfe-shell-1a_bg.wasm" integrity="sha384-other" as="fetch">
<p>import init from '/mfe-shell-1a.js'</p>"#;
        let resealed = resealed(page, "mfe-shell-1a.js", "sha384-new");
        assert_eq!(resealed, page.replace("sha384-old", "sha384-new"));
        // The hash of an empty file, as `openssl dgst -sha384 -binary | base64` gives it.
        assert_eq!(integrity(b""), "sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb");
    }

    /// A module importing `imports` (each a function of type 0 from `./glue.js`), with a type
    /// section before and a custom section after, as wasm-bindgen's output has.
    fn module(imports: &[&str]) -> Vec<u8> {
        let mut section = Vec::new();
        write_u32(&mut section, imports.len() as u32);
        for name in imports {
            for text in ["./glue.js", name] {
                write_u32(&mut section, text.len() as u32);
                section.extend(text.as_bytes());
            }
            section.extend([0x00, 0x00]);
        }
        let mut module = b"\0asm\x01\0\0\0".to_vec();
        module.extend([1, 4, 1, 0x60, 0, 0]); // one type: () -> ()
        module.push(IMPORT_SECTION);
        write_u32(&mut module, section.len() as u32);
        module.extend(section);
        module.extend([0, 5, 4, b'n', b'o', b't', b'e']);
        module
    }

    #[test]
    fn drops_the_hashes_in_both_files_and_numbers_names_that_would_clash() {
        let names = [
            "__wbg_new_0123456789abcdef",
            "__wbg_setAttribute_1111111111111111",
            "__wbg_new_fedcba9876543210",
            "__wbindgen_init_externref_table",
        ];
        let glue = format!("const imports = {{ {}: f, {}: g, {}: h, {}: i }};", names[0], names[1], names[2], names[3]);
        let (shorter, glue) = shortened(&module(&names), glue).unwrap();
        let expected = ["__wbg_new", "__wbg_setAttribute", "__wbg_new_2", "__wbindgen_init_externref_table"];
        assert_eq!(shorter, module(&expected));
        assert_eq!(
            glue,
            "const imports = { __wbg_new: f, __wbg_setAttribute: g, __wbg_new_2: h, __wbindgen_init_externref_table: i };"
        );
    }

    #[test]
    fn a_shortened_name_never_takes_one_already_imported() {
        let names = ["__wbg_get_0123456789abcdef", "__wbg_get"];
        let (shorter, glue) = shortened(&module(&names), format!("{}; {}", names[0], names[1])).unwrap();
        assert_eq!(shorter, module(&["__wbg_get_2", "__wbg_get"]));
        assert_eq!(glue, "__wbg_get_2; __wbg_get");
    }

    #[test]
    fn the_glue_loses_its_comment_lines_and_indentation_but_not_its_code() {
        let js = "/**\n * A class.\n */\nexport class A {\n    // a note\n    f() { return 1; } // kept\n    /* one line */\n    g() {}\n    /* a\n     b */ h();\n}\n";
        assert_eq!(
            without_comments_and_indentation(js),
            "export class A {\nf() { return 1; } // kept\ng() {}\nh();\n}\n"
        );
    }

    #[test]
    fn refuses_glue_that_does_not_name_an_import() {
        let names = ["__wbg_new_0123456789abcdef"];
        let error = shortened(&module(&names), "const imports = {};".into()).unwrap_err();
        assert_eq!(error, "the JS glue does not name the import __wbg_new_0123456789abcdef");
    }
}
