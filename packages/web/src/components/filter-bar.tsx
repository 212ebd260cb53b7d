import { SelectField, TextField } from './ui';

/** The search box and status filter above the VM and job tables. */
export function FilterBar({
  search,
  onSearch,
  searchPlaceholder,
  status,
  onStatus,
  statusOptions,
  statusClassName,
}: {
  search: string;
  onSearch: (value: string) => void;
  searchPlaceholder: string;
  status: string;
  onStatus: (value: string) => void;
  statusOptions: Array<{ value: string; label: string }>;
  statusClassName: string;
}) {
  return (
    <div className="flex items-end gap-2 border-b border-slate-200 bg-white px-3 py-2 dark:border-slate-800 dark:bg-slate-900">
      <TextField
        label="Search"
        type="search"
        placeholder={searchPlaceholder}
        value={search}
        onChange={(e) => onSearch(e.target.value)}
        className="w-64"
      />
      <SelectField
        label="Status"
        value={status}
        onChange={(e) => onStatus(e.target.value)}
        placeholder="All statuses"
        options={statusOptions}
        className={statusClassName}
      />
    </div>
  );
}
