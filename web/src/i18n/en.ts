export default {
  app: { title: 'S&T Association Platform', short: 'kexie' },
  menu: {
    home: 'Workbench', org: 'Organizations & people', orgs: 'Organization tree', members: 'Members',
    work: 'Daily work', notices: 'Notices', reports: 'Reports', activities: 'Activities',
    reference: 'Reference data', regions: 'Regions', system: 'System', about: 'System status',
  },
  header: { language: 'Language', user: 'Guest', login: 'Sign in', logout: 'Sign out' },
  home: {
    welcome: 'Welcome to the S&T association platform',
    intro: 'The organization tree, members, notices, reports, activities and volunteer service come together here. Modules open as they are built.',
    regionsChart: 'Divisions under each province (demo data)',
  },
  about: {
    title: 'System status', version: 'Version', database: 'Database', databaseOk: 'Database connection', schema: 'Schema version',
    replica: 'Read replica', uptime: 'Uptime', ok: 'OK', down: 'Unavailable', yes: 'configured', no: 'not configured', seconds: '{n} s',
  },
  regions: {
    title: 'Administrative divisions', parent: 'Parent code', parentHint: 'empty for provinces', sort: 'Sort', byCode: 'By code', byName: 'By pinyin',
    search: 'Search', code: 'Code', name: 'Name', level: 'Level', children: 'Children', empty: 'No divisions below',
    levels: ['', 'Province', 'Prefecture', 'County', 'Township', 'Village'],
  },
  fieldErrors: {
    not_found: 'does not exist', required: 'is required', cycle: 'cannot go under itself or a descendant', closed: 'is closed', before_current: 'is before the current placement', bad_length: 'has the wrong length', not_allowed: 'is not an allowed value',
    not_integer: 'must be a whole number', out_of_range: 'is out of range', invalid_utf8: 'has invalid characters', unknown_field: 'is not a known field',
  },
  login: {
    title: 'Sign in', login: 'Login', password: 'Password', submit: 'Sign in', required: 'Enter your login and password',
    wrong: 'Wrong login or password', locked: 'The account is locked: {msg}. Try again in 15 minutes or ask a security administrator.',
    hint: 'Demo accounts: see var/demo-admin.txt on the server',
  },
  orgs: {
    tree: 'Organization tree', move: 'Move', code: 'Code', level: 'Level', type: 'Type', parent: 'Parent ID',
    opened: 'Opened', closed: 'Closed', version: 'Version', pick: 'Pick an organization on the left', newParent: 'New parent ID',
    on: 'Effective', today: 'today', cancel: 'Cancel', confirm: 'Move',
    levels: { national: 'National', provincial: 'Provincial', city: 'City', county: 'County', township: 'Township', grassroots: 'Grassroots' },
    types: { association: 'Association', society: 'Society', enterprise: 'Enterprise', university: 'University', park: 'Park', institute: 'Institute', hospital: 'Hospital', village: 'Village', community: 'Community', other: 'Other' },
  },
  notFound: { title: 'Page not found', back: 'Back to the workbench' },
  soon: { title: 'Under construction', text: 'This module is being built.' },
  errors: {
    network: 'Network error: check the connection', internal: 'Internal server error', invalid: 'The request is invalid', unprocessable: 'Some fields are invalid',
    not_found: 'Not found', precondition_failed: 'Changed by someone else: reload and try again', conflict: 'Conflicts with the current state', unavailable: 'The database is unavailable', busy: 'The server is busy; try again shortly', forbidden: 'Not permitted',
    unauthorized: 'Please sign in', rate_limited: 'Too many requests; try again later', requestId: 'Request id',
  },
};
