import { firstLine, lineAt, networkLine, SHELL_NETWORK_IN_STRING, SPAWN } from '../patterns.js';
import type { ScanDocument, ScanRule } from '../types.js';

/** Credential files and secret environment variables (not `process.env` in general: every build reads it). */
export const CREDENTIALS = new RegExp([
  String.raw`\.npmrc\b`, String.raw`\.ssh[\\/]`, String.raw`\bid_(?:rsa|ed25519|ecdsa)\b`, String.raw`\.aws[\\/]`, String.raw`\.git-credentials\b`,
  String.raw`\.docker[\\/]config\.json`, String.raw`\.kube[\\/]config`, String.raw`\.netrc\b`, String.raw`\.pypirc\b`, String.raw`(?<![\w.])\.env\b(?![.\w])`,
  String.raw`\b(?:NPM_TOKEN|NODE_AUTH_TOKEN|GITHUB_TOKEN|GH_TOKEN|GITLAB_TOKEN|AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID|AWS_SESSION_TOKEN|PYPI_TOKEN|TWINE_PASSWORD|SLACK_TOKEN|DISCORD_TOKEN|CI_JOB_TOKEN)\b`,
  String.raw`JSON\.stringify\(\s*process\.env\s*\)`, String.raw`Object\.(?:entries|keys|values)\(\s*process\.env\s*\)`, String.raw`JSON\.stringify\(\s*\{\s*\.\.\.\s*process\.env\s*\}`, String.raw`\bdict\(\s*os\.environ\s*\)`, String.raw`\bos\.environ\.copy\(\)`,
  // Browser profiles and wallets: saved passwords, cookies, MetaMask's extension store, keys.
  String.raw`\bLogin Data\b`, String.raw`\bLocal Extension Settings\b`, String.raw`\bnkbihfbeogaeaoehlefnkodbefgpgknn\b`, String.raw`\bwallet\.dat\b`,
  String.raw`\.config[\\/]solana\b`, String.raw`\.gnupg[\\/]`, String.raw`\bLibrary[\\/]Keychains\b`,
].join('|'));

/**
 * Reading credentials together with network use in the same file or command: the shape of token
 * stealers (the 2025 npm worm read `~/.npmrc` and GITHUB_TOKEN and posted them).
 */
export const credentialNetwork: ScanRule = {
  id: 'credential-network',
  confidence: 'high',
  scan(doc) {
    const secret = firstLine(doc, CREDENTIALS) ?? environmentCopySerialised(doc);
    // A JavaScript file that runs programs uses the network through them too: `execSync('curl …')`.
    const network = networkLine(doc) ?? (doc.kind === 'js' && SPAWN.js.test(doc.text) ? firstLine(doc, SHELL_NETWORK_IN_STRING) : undefined);
    if (secret === undefined || network === undefined) return [];
    return [{ line: secret, message: `reads credentials and uses the network (line ${network})` }];
  },
};

/**
 * The whole environment copied into a variable that is then serialised (`const e = {...process.env};
 * … JSON.stringify(e)`): its line, or undefined. A copy handed to a child (`{ env: {...process.env} }`)
 * is not serialised and does not count.
 */
function environmentCopySerialised(doc: ScanDocument): number | undefined {
  if (doc.kind !== 'js') return undefined;
  for (const m of doc.text.matchAll(/\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:\{\s*\.\.\.\s*process\.env\s*\}|Object\.assign\(\s*\{\s*\}\s*,\s*process\.env\s*\))/g)) {
    if (new RegExp(String.raw`JSON\.stringify\(\s*${m[1]!.replace(/\$/g, '\\$')}\s*[,)]`).test(doc.text)) return lineAt(doc, m.index!);
  }
  return undefined;
}
