// auth.ts - who is signed in. The session cookie is HttpOnly (the page never sees it);
// the CSRF token from sign-in rides along on unsafe requests (api/client.ts). Signing in
// loads the code lists (codes.ts) once.
import { defineStore } from 'pinia';
import { api, setCsrf, type Me } from '../api/client';
import { loadCodes, resetCodes } from '../codes';

// What each role may see in the menu: mirrors the server's permissions (src/domain/rbac.c).
const PERMS: Record<string, string[]> = {
  system_admin: ['org.read', 'org.write'], security_admin: ['org.read', 'user.read', 'user.admin'],
  audit_admin: ['org.read', 'audit.read'], org_admin: ['org.read', 'org.write', 'user.read', 'user.admin', 'member.read', 'member.write', 'member.reveal'],
  staff: ['org.read', 'member.read', 'member.write'], reviewer: [], member: [],
};

// Registration (issue 12): the queues of applications (member.write) and erasure requests (member.read, member.erase); a member's own record.
for (const [role, perms] of Object.entries({ org_admin: ['member.read', 'member.write', 'member.erase'], staff: ['member.read', 'member.write'], member: ['me.member'] })) PERMS[role].push(...perms);
// stored files (docs/files.md)
for (const role of ['org_admin', 'staff']) PERMS[role].push('file.read', 'file.write');

// Forms (issue 13): reading, designing, submitting and reviewing forms (src/core/rbac.c).
for (const [role, perms] of Object.entries({ org_admin: ['form.read', 'form.design', 'form.submit', 'form.review'], staff: ['form.read', 'form.design', 'form.submit', 'form.review'], reviewer: ['form.read', 'form.review'] })) PERMS[role].push(...perms);

// Notifications (issue 13): the outbound hook's deliveries and dead letters are the system admin's.
PERMS.system_admin.push('hook.admin');

// Notices (issue 13): staff compose and read; the org administrator also approves.
for (const [role, perms] of Object.entries({ org_admin: ['notice.read', 'notice.write', 'notice.approve'], staff: ['notice.read', 'notice.write'] })) PERMS[role].push(...perms);

const HINT = 'kexie.signedIn';

export const useAuth = defineStore('auth', {
  state: () => ({ me: null as Me | null, checked: false }),
  getters: {
    signedIn: (s) => !!s.me,
    can: (s) => (perm: string) => perm === 'signed-in' ? !!s.me : !!s.me?.roles.some((g) => PERMS[g.role]?.includes(perm)),
    // the org ids at the top of the caller's scope (one per grant, no duplicates)
    roots: (s) => [...new Set((s.me?.roles ?? []).map((g) => g.org_id))],
  },
  actions: {
    // Asks the server only when this browser signed in before (a guest's page load must
    // not produce a 401 for nothing); any tab gets the CSRF token back from the server.
    async load() {
      if (localStorage.getItem(HINT)) {
        try {
          this.me = await api.me();
          setCsrf(this.me.csrf_token ?? null);
          loadCodes();
        } catch {
          this.me = null;
          localStorage.removeItem(HINT);
        }
      }
      this.checked = true;
    },
    async login(login: string, password: string, newPassword?: string) {
      const me = await api.login(login, password, newPassword);
      setCsrf(me.csrf_token ?? null);
      localStorage.setItem(HINT, '1');
      this.me = me;
      this.checked = true;
      resetCodes();
      loadCodes();
    },
    async logout() {
      try { await api.logout(); } finally { setCsrf(null); localStorage.removeItem(HINT); this.me = null; resetCodes(); }
    },
  },
});
