// A Move parser for checks that would otherwise need the Sui CLI: no Move compiler runs in
// this project's CI, so the test suite parses every .move file with the tree-sitter Move
// grammar that @mysten/prettier-plugin-move ships (tree-sitter-move.wasm, loaded with the
// web-tree-sitter runtime the plugin itself depends on), reports syntax errors, and reads
// function, struct and constant declarations for the binding and cross-reference tests.
import { createRequire } from "node:module";
import path from "node:path";

/** The part of web-tree-sitter's SyntaxNode this module uses. */
export interface SyntaxNode {
  type: string;
  text: string;
  startPosition: { row: number; column: number };
  children: SyntaxNode[];
  namedChildren: SyntaxNode[];
  isNamed(): boolean;
  isMissing(): boolean;
  hasError(): boolean;
}

interface Tree {
  rootNode: SyntaxNode;
}

interface ParserInstance {
  setLanguage(language: unknown): void;
  parse(source: string): Tree;
}

interface ParserModule {
  new (): ParserInstance;
  init(): Promise<void>;
  Language: { load(wasmPath: string): Promise<unknown> };
}

let parserPromise: Promise<ParserInstance> | undefined;

/** Loads the grammar once per process. */
function loadParser(): Promise<ParserInstance> {
  parserPromise ??= (async () => {
    const require = createRequire(import.meta.url);
    // Resolve web-tree-sitter from the plugin's own location, so the runtime always matches
    // the grammar the plugin was built with.
    const pluginManifest = require.resolve("@mysten/prettier-plugin-move/package.json");
    const Parser = createRequire(pluginManifest)("web-tree-sitter") as ParserModule;
    await Parser.init();
    const parser = new Parser();
    parser.setLanguage(
      await Parser.Language.load(path.join(path.dirname(pluginManifest), "tree-sitter-move.wasm")),
    );
    return parser;
  })();
  return parserPromise;
}

export interface MoveSyntaxError {
  /** 1-based line and column of the error node. */
  line: number;
  column: number;
  /** "ERROR" for unparseable text, "MISSING" for a token the parser had to invent. */
  kind: "ERROR" | "MISSING";
  /** The offending text, or the missing token's type. */
  text: string;
}

export interface MoveParam {
  name: string;
  /** Normalized type text, e.g. `&mut Registry`, `vector<u8>`. */
  type: string;
}

export interface MoveFunction {
  name: string;
  visibility: "public" | "public(package)" | "private";
  entry: boolean;
  macro: boolean;
  params: MoveParam[];
  /** Normalized return type, or "" for none. */
  returns: string;
  /** Attribute names on the function, e.g. `test_only`, `test`, `allow`. */
  attributes: string[];
  line: number;
}

export interface MoveStruct {
  name: string;
  abilities: string[];
  fields: MoveParam[];
  attributes: string[];
  line: number;
}

export interface MoveConstant {
  name: string;
  type: string;
  /** Source text of the value. */
  value: string;
  /** Declared with `#[error]`. */
  error: boolean;
  attributes: string[];
  line: number;
}

export interface MoveModule {
  /** `address::name` as written, e.g. `sui_zk_indexer::registry`. */
  id: string;
  address: string;
  name: string;
  attributes: string[];
  functions: MoveFunction[];
  structs: MoveStruct[];
  constants: MoveConstant[];
  /** Every `a::b` or `a::b::c` path in the module (code and attributes), with its line. */
  paths: { path: string; line: number }[];
}

export interface ParsedMoveFile {
  errors: MoveSyntaxError[];
  modules: MoveModule[];
}

/** Collapses whitespace in type text the way the Move signatures are compared. */
export function normalizeType(text: string): string {
  return text
    .replace(/\s+/g, " ")
    .replace(/\s*([<>,()])\s*/g, "$1")
    .replace(/&\s*mut\s+/g, "&mut ")
    .replace(/&\s+/g, "&")
    .trim();
}

function collectErrors(node: SyntaxNode, out: MoveSyntaxError[]): void {
  if (node.type === "ERROR" || node.isMissing()) {
    out.push({
      line: node.startPosition.row + 1,
      column: node.startPosition.column + 1,
      kind: node.type === "ERROR" ? "ERROR" : "MISSING",
      text: node.isMissing() ? node.type : node.text.slice(0, 80),
    });
    // An ERROR node's children are the debris of the same failure: report it once.
    if (node.type === "ERROR") return;
  }
  if (!node.hasError() && !node.isMissing()) return;
  for (const child of node.children) collectErrors(child, out);
}

function childOfType(node: SyntaxNode, type: string): SyntaxNode | undefined {
  return node.children.find((c) => c.type === type);
}

function attributeNames(annotations: SyntaxNode[]): string[] {
  const names: string[] = [];
  for (const annotation of annotations) {
    for (const item of annotation.namedChildren) {
      if (item.type !== "annotation_item") continue;
      const head = item.namedChildren[0];
      const ident = head ? (head.type === "identifier" ? head : childOfType(head, "identifier")) : undefined;
      if (ident) names.push(ident.text);
    }
  }
  return names;
}

function params(node: SyntaxNode | undefined): MoveParam[] {
  if (!node) return [];
  return node.namedChildren
    .filter((p) => p.type === "function_parameter")
    .map((p) => {
      const name = p.namedChildren[0]?.text ?? "";
      const type = p.namedChildren[p.namedChildren.length - 1];
      return { name, type: type ? normalizeType(type.text) : "" };
    });
}

function collectPaths(node: SyntaxNode, out: { path: string; line: number }[]): void {
  if (node.type === "module_access" || node.type === "module_identity") {
    if (node.text.includes("::")) {
      out.push({ path: node.text.replace(/<[\s\S]*$/, "").replace(/\s+/g, ""), line: node.startPosition.row + 1 });
      return;
    }
  }
  for (const child of node.namedChildren) collectPaths(child, out);
}

function readModule(def: SyntaxNode, annotations: SyntaxNode[]): MoveModule {
  const identity = childOfType(def, "module_identity");
  const [address = "", name = ""] = (identity?.text ?? "").split("::").map((s) => s.trim());
  const body = childOfType(def, "module_body");
  const module: MoveModule = {
    id: `${address}::${name}`,
    address,
    name,
    attributes: attributeNames(annotations),
    functions: [],
    structs: [],
    constants: [],
    paths: [],
  };
  let pending: SyntaxNode[] = [];
  for (const item of body?.children ?? []) {
    if (item.type === "annotation") {
      pending.push(item);
      continue;
    }
    if (!item.isNamed() || item.type === "newline" || item.type.endsWith("comment")) continue;
    const attributes = attributeNames(pending);
    pending = [];
    collectPaths(item, module.paths);
    const line = item.startPosition.row + 1;
    if (item.type === "function_definition" || item.type === "macro_function_definition") {
      const modifiers = item.children.filter((c) => c.type === "modifier").map((c) => normalizeType(c.text));
      const visibility = modifiers.includes("public(package)")
        ? "public(package)"
        : modifiers.includes("public")
          ? "public"
          : "private";
      const ret = childOfType(item, "ret_type");
      module.functions.push({
        name: childOfType(item, "function_identifier")?.text ?? "",
        visibility,
        entry: modifiers.includes("entry"),
        macro: item.type === "macro_function_definition" || item.children.some((c) => c.type === "macro"),
        params: params(childOfType(item, "function_parameters")),
        returns: ret ? normalizeType(ret.text.replace(/^\s*:/, "")) : "",
        attributes,
        line,
      });
    } else if (item.type === "struct_definition") {
      const fields = childOfType(item, "datatype_fields");
      const named = fields ? childOfType(fields, "named_fields") : undefined;
      module.structs.push({
        name: childOfType(item, "struct_identifier")?.text ?? "",
        abilities: (childOfType(item, "ability_decls")?.namedChildren ?? []).map((a) => a.text),
        fields: (named?.namedChildren ?? [])
          .filter((f) => f.type === "field_annotation")
          .map((f) => ({
            name: f.namedChildren[0]?.text ?? "",
            type: normalizeType(f.namedChildren[f.namedChildren.length - 1]?.text ?? ""),
          })),
        attributes,
        line,
      });
    } else if (item.type === "constant") {
      const named = item.namedChildren;
      module.constants.push({
        name: childOfType(item, "constant_identifier")?.text ?? "",
        type: normalizeType(named[1]?.text ?? ""),
        value: (named[2]?.text ?? "").replace(/\s+/g, " "),
        error: attributes.includes("error"),
        attributes,
        line,
      });
    }
  }
  return module;
}

/** Parses Move source: syntax errors with their lines, and the declarations of each module. */
export async function parseMove(source: string): Promise<ParsedMoveFile> {
  const parser = await loadParser();
  const root = parser.parse(source).rootNode;
  const errors: MoveSyntaxError[] = [];
  collectErrors(root, errors);
  const modules: MoveModule[] = [];
  // Attributes on a module (`#[test_only]`) are siblings placed before its definition.
  let pending: SyntaxNode[] = [];
  for (const node of root.children) {
    if (node.type === "annotation") pending.push(node);
    else if (node.type === "module_definition") {
      modules.push(readModule(node, pending));
      pending = [];
    }
  }
  return { errors, modules };
}
