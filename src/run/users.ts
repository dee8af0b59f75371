import { readFileSync, statSync } from 'node:fs';

export interface UserAccount {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** Look a user up in /etc/passwd by name or numeric uid (no shelling out; NSS users are not covered). */
export function lookupUser(nameOrUid: string | number, passwdFile = '/etc/passwd'): UserAccount | undefined {
  const text = readFileSync(passwdFile, 'utf8');
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [name, , uid, gid, , home] = line.split(':');
    if (name === undefined || uid === undefined || gid === undefined) continue;
    if (String(nameOrUid) === name || String(nameOrUid) === uid) {
      return { name, uid: Number(uid), gid: Number(gid), home: home ?? '/' };
    }
  }
  if (typeof nameOrUid === 'number' || /^\d+$/.test(String(nameOrUid))) {
    const uid = Number(nameOrUid);
    return { name: String(uid), uid, gid: uid, home: '/nonexistent' };
  }
  return undefined;
}

/** The user (uid/gid) that owns `path`. */
export function ownerOf(path: string): { uid: number; gid: number } {
  const st = statSync(path);
  return { uid: st.uid, gid: st.gid };
}

export function isRoot(): boolean {
  return typeof process.geteuid === 'function' && process.geteuid() === 0;
}

/** The user's home is there and theirs (system users often have none: /nonexistent). */
export function isUsableHome(user: UserAccount): boolean {
  try {
    return statSync(user.home).uid === user.uid;
  } catch {
    return false;
  }
}
