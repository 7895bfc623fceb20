// words.ts - the member register's small helpers: the managed tag list (GET
// /api/v1/members/tags, loaded once; until it answers, the tags of migration 0020 by their
// words; an unknown tag shows as itself), and turning a person into a form draft and back.
import { ref } from 'vue';
import { i18n } from '../../i18n';
import { request } from '../../api/client';
import { tr } from '../../text';
import type { Person, PersonBody } from './api';

// The fields a form shows (an error on another lands on the name field, saying which).
export const shownFields = (mode: 'create' | 'edit', d: PersonDraft | null) =>
  FIELDS.filter((k) => (mode === 'create' ? k !== 'status' && k !== 'deceased_on' : k !== 'org_id' && (k !== 'deceased_on' || d?.status === 'deceased')));

// the form's fields (the create form's and the edit form's; org_id only when creating)
export interface PersonDraft {
  org_id: number | null; name: string; gender: string; ethnicity: string; birth_date: string; id_type: string; id_number: string;
  mobile: string; landline: string; email: string; political_status: string; party_joined_on: string; party_full_on: string;
  education: string; degree: string; title: string; title_level: string; discipline: string; work_unit: string; position: string;
  status: string; deceased_on: string; tags: string[];
}
export const FIELDS = ['org_id', 'name', 'gender', 'ethnicity', 'birth_date', 'id_type', 'id_number', 'mobile', 'landline', 'email',
  'political_status', 'party_joined_on', 'party_full_on', 'education', 'degree', 'title', 'title_level', 'discipline', 'work_unit',
  'position', 'status', 'deceased_on', 'tags'];

const SEEDED = ['senior_expert', 'academician', 'young_worker', 'model_worker', 'female_scientist', 'rural_expert'];
const tagList = ref<{ code: string; zh: string; en: string }[]>([]);
let tagsLoading: Promise<void> | null = null;
// Loads the managed list once (again after a failure); pages call it when they mount.
export function loadTags(): Promise<void> {
  tagsLoading ??= request<{ items: { code: string; zh: string; en: string }[] }>('GET', '/api/v1/members/tags')
    .then((b) => { tagList.value = b.items; })
    .catch(() => { tagsLoading = null; });
  return tagsLoading;
}
// The tag codes in display order (reactive: the list replaces the seeded six once loaded).
export const tagCodes = () => (tagList.value.length ? tagList.value.map((x) => x.code) : SEEDED);
export const tagWord = (c: string) => {
  const hit = tagList.value.find((x) => x.code === c);
  if (hit) return i18n.global.locale.value === 'en' ? hit.en : hit.zh;
  return tr(`members.tags.${c}`) || c;
};

export function emptyDraft(orgId: number | null): PersonDraft {
  return {
    org_id: orgId, name: '', gender: '', ethnicity: '', birth_date: '', id_type: '', id_number: '', mobile: '', landline: '', email: '',
    political_status: '', party_joined_on: '', party_full_on: '', education: '', degree: '', title: '', title_level: '', discipline: '',
    work_unit: '', position: '', status: 'active', deceased_on: '', tags: [],
  };
}

export function draftOf(p: Person): PersonDraft {
  const d = emptyDraft(p.org_id) as unknown as Record<string, unknown>;
  for (const k of Object.keys(d)) {
    if (k === 'id_number' || k === 'mobile' || k === 'org_id') continue; // masked, typed anew; org not editable
    const v = (p as unknown as Record<string, unknown>)[k];
    d[k] = k === 'tags' ? [...((v as string[]) ?? [])] : (v ?? '');
  }
  return d as unknown as PersonDraft;
}

const blank = (v: unknown) => v === '' || v === null || v === undefined;

// The body for POST: every filled field.
export function createBody(d: PersonDraft): PersonBody & { org_id: number } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(d)) {
    if (k === 'tags') { if ((v as string[]).length) out.tags = v; continue; }
    // a new person is active by default; sending status "active" is refused with deceased_pair (server)
    if (k === 'status' || k === 'deceased_on') continue;
    if (!blank(v)) out[k] = typeof v === 'string' ? v.trim() : v;
  }
  return out as PersonBody & { org_id: number };
}

// The body for PATCH: the fields that differ from the person as read (cleared ones as null);
// the ID number and mobile only when typed.
export function patchBody(p: Person, d: PersonDraft): PersonBody {
  const out: Record<string, unknown> = {};
  const was = draftOf(p) as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(d)) {
    if (k === 'org_id') continue;
    if (k === 'id_number' || k === 'mobile') { if (!blank(v)) out[k] = (v as string).trim(); continue; }
    if (k === 'tags') { if (JSON.stringify(v) !== JSON.stringify(was.tags)) out.tags = v; continue; }
    if ((v ?? '') !== (was[k] ?? '')) out[k] = blank(v) ? (k === 'name' || k === 'status' ? v : null) : (v as string).trim();
  }
  return out as PersonBody;
}
