// xapian_shim.cc: the only C++ in kb, a thin layer over libxapian.
//
// Every extern "C" function runs its body through guarded(), which catches
// everything and maps it to a status, so that no exception unwinds through
// C frames (which would abort the process).

#include "xapian_shim.h"

#include "kb-private.h"

#include <xapian.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

struct kbx_writer {
	Xapian::WritableDatabase db;
	bool in_transaction = false;
	// A new database is committed every kBuildBatch documents rather than
	// at Xapian's default of 10,000: its inverter keeps a batch's postings
	// in maps of every term touched, and small maps merged often beat large
	// ones merged seldom (docs/performance.md: builds 14-35% faster, with
	// half the memory or less).  Updates run in a transaction and hold
	// theirs.
	Xapian::doccount unbatched = 0;
};

static const Xapian::doccount kBuildBatch = 1000;

// What a reader holds in memory at most (kbx_search_t.values_in_memory):
// the keys of 1M entries (2.2 million documents) take 35 MB; their
// questions would take 100 MB, while those of 100,000 take 12 MB.
static const size_t kKeysInMemoryMax = size_t{64} << 20;
static const size_t kTextsInMemoryMax = size_t{16} << 20;
static_assert(kKeysInMemoryMax < UINT32_MAX && kTextsInMemoryMax < UINT32_MAX,
              "a table's values are found by 32-bit offsets");
// A search reads at most this many documents' values into each table: a
// new generation's tables (0.5 s at 1M entries) are read a slice per
// search (3 to 12 ms on atec-faq), so that no one request after a rebuild
// waits for all of them; what is not read yet is read from the index, as
// by a one-off search.
static const Xapian::doccount kValuesPerSearch = 16384;

struct kbx_doc {
	Xapian::Document doc;
};

namespace {
// The values of one slot of a local database, read once through the value
// stream and then looked up in memory, up to a budget of bytes (past it,
// values are read from the index as before): reading each search's
// matches' entry keys and questions from the streams was a third of the
// B-tree blocks an atec-faq request reads (docs/performance.md).  A
// document's values never change (kb-index deletes and adds, docids are
// never reused), so what was read stays true; documents added since are
// read on the next search, from the highest docid read on.  The documents
// of an entry are numbered one after another and share its key, so a run
// of docids holds one value.
class value_table {
	std::vector<Xapian::docid> first_;     // of each run
	std::vector<Xapian::doccount> count_;  // of documents in it
	std::vector<uint32_t> start_;          // of its value in pool_
	std::string pool_;
	Xapian::docid through_ = 0;            // every docid up to it is read
	Xapian::valueno slot_ = Xapian::BAD_VALUENO;
	// What a run costs beyond its value's bytes.
	static const size_t run_bytes = sizeof(Xapian::docid) + sizeof(Xapian::doccount) + 4;

public:
	// Reads the values of the documents added since the last call, at
	// most those of the next `most` docids (0: all), while the table holds
	// less than budget bytes.
	void catch_up(const Xapian::Database &db, Xapian::valueno slot, size_t budget,
	              Xapian::doccount most = 0)
	{
		if (slot != slot_)
			*this = value_table();
		slot_ = slot;
		Xapian::docid last = db.get_lastdocid();
		if (last <= through_)
			return;
		Xapian::docid stop = most && last - through_ > most ? through_ + most : last;
		bool full = false;
		size_t runs = first_.size(), pooled = pool_.size();
		try {
			Xapian::ValueIterator v = db.valuestream_begin(slot);
			const Xapian::ValueIterator end = db.valuestream_end(slot);
			if (through_ && v != end)
				v.skip_to(through_ + 1);
			for (; v != end && v.get_docid() <= stop; ++v) {
				Xapian::docid did = v.get_docid();
				const std::string &key = *v;
				size_t n = first_.size();
				if (n > runs && did == first_[n - 1] + count_[n - 1] &&
				    pool_.compare(start_[n - 1], std::string::npos, key) == 0) {
					count_[n - 1]++;
					continue;
				}
				if (pool_.size() + key.size() + (n + 1) * run_bytes > budget) {
					full = true;
					break;
				}
				first_.push_back(did);
				count_.push_back(1);
				start_.push_back(static_cast<uint32_t>(pool_.size()));
				pool_ += key;
			}
		} catch (...) {
			// A writer moved on mid-read (or memory ran out): what was
			// read in this call is dropped, and read again by the next.
			first_.resize(runs);
			count_.resize(runs);
			start_.resize(runs);
			pool_.resize(pooled);
			throw;
		}
		through_ = full ? last : stop;
	}

	// Documents up to last not read yet.
	Xapian::doccount behind(Xapian::docid last) const { return last > through_ ? last - through_ : 0; }

	// The value of did, or false when it has none or the table does not
	// hold it.
	bool find(Xapian::docid did, std::string &key) const
	{
		auto it = std::upper_bound(first_.begin(), first_.end(), did);
		if (it == first_.begin())
			return false;
		size_t i = static_cast<size_t>(it - first_.begin()) - 1;
		if (did - first_[i] >= count_[i])
			return false;
		size_t end = i + 1 < start_.size() ? start_[i + 1] : pool_.size();
		key.assign(pool_, start_[i], end - start_[i]);
		return true;
	}
};
} // namespace

struct kbx_reader {
	Xapian::Database db;
	Xapian::Enquire enquire;
	// For kbx_search_t.values_in_memory: the collapse keys, and the texts.
	value_table keys, texts;
	// How many documents hold each term, as read: every search needs it
	// for each of its terms before it starts (to decide which terms find
	// and which only score), and looking it up is a B-tree walk.  Agents'
	// queries share most of their terms.  Emptied on every reopen.
	std::unordered_map<std::string, Xapian::doccount> termfreqs;
	explicit kbx_reader(const std::string &path) : db(path), enquire(db)
	{
		// The document's part of BM25 is in each term's wdf already (an
		// impact, see entry_documents.c).  BM25 with b = 0 reads no
		// document lengths, and with k1 far above any impact its weight
		// is linear in wdf: idf x impact.  It is built in, so remote
		// shards (xapian-tcpsrv) weigh alike.
		enquire.set_weighting_scheme(Xapian::BM25Weight(KB_IMPACT_K1, 0, 1, 0, 0));
	}
};

static void set_error(char **err, const std::string &what)
{
	if (!err)
		return;
	*err = static_cast<char *>(std::malloc(what.size() + 1));
	if (*err)
		std::memcpy(*err, what.c_str(), what.size() + 1);
}

template <typename Body>
static kb_status_t guarded(char **err, Body body)
{
	if (err)
		*err = nullptr;
	try {
		body();
		return KB_OK;
	} catch (const Xapian::DatabaseLockError &e) {
		set_error(err, e.get_description());
		return KB_ERR_LOCKED;
	} catch (const Xapian::DatabaseCorruptError &e) {
		set_error(err, e.get_description());
		return KB_ERR_CORRUPT;
	} catch (const Xapian::DatabaseNotFoundError &e) {
		set_error(err, e.get_description());
		return KB_ERR_NO_INDEX;
	} catch (const Xapian::DatabaseOpeningError &e) {
		set_error(err, e.get_description());
		return KB_ERR_NO_INDEX;
	} catch (const Xapian::NetworkError &e) {
		set_error(err, e.get_description());
		return KB_ERR_INDEX;
	} catch (const Xapian::Error &e) {
		set_error(err, e.get_description());
		return KB_ERR_INDEX;
	} catch (const std::bad_alloc &) {
		set_error(err, "out of memory");
		return KB_ERR_NOMEM;
	} catch (const std::exception &e) {
		set_error(err, e.what());
		return KB_ERR_INTERNAL;
	} catch (...) {
		set_error(err, "unknown C++ exception");
		return KB_ERR_INTERNAL;
	}
}

static char *copy_string(const std::string &s)
{
	char *c = static_cast<char *>(std::malloc(s.size() + 1));
	if (!c)
		throw std::bad_alloc();
	std::memcpy(c, s.data(), s.size());
	c[s.size()] = '\0';
	return c;
}

extern "C" {

kb_status_t kbx_writer_create(const char *path, kbx_writer_t **out, char **err)
{
	*out = nullptr;
	return guarded(err, [&] {
		// Nobody reads a new database before kb compacts it into the
		// generation it publishes (and a run that dies leaves it to be
		// removed): its commits need neither fsync nor copy-on-write.
		*out = new kbx_writer{Xapian::WritableDatabase(
		    path, Xapian::DB_CREATE | Xapian::DB_BACKEND_GLASS | Xapian::DB_NO_SYNC |
		              Xapian::DB_DANGEROUS)};
	});
}

kb_status_t kbx_writer_open(const char *path, kbx_writer_t **out, char **err)
{
	*out = nullptr;
	return guarded(err, [&] {
		std::unique_ptr<kbx_writer> w(new kbx_writer{
		    Xapian::WritableDatabase(path, Xapian::DB_OPEN | Xapian::DB_BACKEND_GLASS)});
		// A transaction holds every change until commit, however many:
		// no automatic flush can make half an update visible.
		w->db.begin_transaction(true);
		w->in_transaction = true;
		*out = w.release();
	});
}

kb_status_t kbx_writer_delete_documents(kbx_writer_t *w, unsigned first, unsigned count,
                                        char **err)
{
	return guarded(err, [&] {
		for (unsigned i = 0; i < count; i++) {
			try {
				w->db.delete_document(first + i);
			} catch (const Xapian::DocNotFoundError &) {
				throw Xapian::DatabaseCorruptError("document " + std::to_string(first + i) +
				                                   " is not in the index");
			}
		}
	});
}

kb_status_t kbx_writer_metadata(kbx_writer_t *w, const char *key, char **value, char **err)
{
	*value = nullptr;
	return guarded(err, [&] { *value = copy_string(w->db.get_metadata(key)); });
}

kb_status_t kbx_writer_each_metadata(kbx_writer_t *w, const char *prefix, kbx_metadata_fn fn,
                                     void *ctx, char **err)
{
	return guarded(err, [&] {
		for (Xapian::TermIterator it = w->db.metadata_keys_begin(prefix);
		     it != w->db.metadata_keys_end(prefix); ++it) {
			std::string key = *it;
			if (fn(ctx, key.c_str(), w->db.get_metadata(key).c_str()) != 0)
				break;
		}
	});
}

kb_status_t kbx_writer_commit(kbx_writer_t *w, char **err)
{
	return guarded(err, [&] {
		if (w->in_transaction) {
			w->db.commit_transaction();
			w->in_transaction = false;
		} else {
			w->db.commit();
		}
		w->db.close();
	});
}

void kbx_writer_free(kbx_writer_t *w)
{
	// Closing a WritableDatabase commits what is pending; callers that
	// abandon a database delete its directory after this.  Nothing may
	// throw out of here, so close explicitly and swallow its errors.
	if (!w)
		return;
	try {
		if (w->in_transaction)
			w->db.cancel_transaction();
		w->db.close();
	} catch (...) {
	}
	delete w;
}

kb_status_t kbx_doc_new(kbx_doc_t **out, char **err)
{
	*out = nullptr;
	return guarded(err, [&] { *out = new kbx_doc; });
}

void kbx_doc_free(kbx_doc_t *d)
{
	delete d;
}

kb_status_t kbx_doc_add_term(kbx_doc_t *d, const char *term, size_t len,
                             unsigned wdf_inc, char **err)
{
	return guarded(err, [&] { d->doc.add_term(std::string(term, len), wdf_inc); });
}

kb_status_t kbx_doc_add_boolean(kbx_doc_t *d, const char *term, char **err)
{
	return guarded(err, [&] { d->doc.add_boolean_term(term); });
}

kb_status_t kbx_doc_set_value(kbx_doc_t *d, unsigned slot, const char *value,
                              char **err)
{
	return guarded(err, [&] { d->doc.add_value(slot, value); });
}

kb_status_t kbx_doc_set_value_bytes(kbx_doc_t *d, unsigned slot, const char *value, size_t len,
                                    char **err)
{
	return guarded(err, [&] { d->doc.add_value(slot, std::string(value, len)); });
}

kb_status_t kbx_writer_set_metadata(kbx_writer_t *w, const char *key, const char *value,
                                    char **err)
{
	return guarded(err, [&] { w->db.set_metadata(key, value); });
}

kb_status_t kbx_writer_next_docid(kbx_writer_t *w, unsigned *docid, char **err)
{
	*docid = 0;
	return guarded(err, [&] { *docid = w->db.get_lastdocid() + 1; });
}

kb_status_t kbx_writer_add(kbx_writer_t *w, kbx_doc_t *d, unsigned docid, char **err)
{
	// Above the highest docid used, Xapian adds the document as new.
	return guarded(err, [&] {
		w->db.replace_document(docid, d->doc);
		if (!w->in_transaction && ++w->unbatched >= kBuildBatch) {
			w->db.commit();
			w->unbatched = 0;
		}
	});
}

kb_status_t kbx_compact(const char *const *from, size_t n, const char *to, char **err)
{
	return guarded(err, [&] {
		Xapian::Database all;
		for (size_t i = 0; i < n; i++)
			all.add_database(Xapian::Database(from[i], Xapian::DB_BACKEND_GLASS));
		all.compact(to, Xapian::DBCOMPACT_NO_RENUMBER | Xapian::DB_BACKEND_GLASS);
	});
}

kb_status_t kbx_reader_open(const char *path, kbx_reader_t **out, char **err)
{
	*out = nullptr;
	return guarded(err, [&] { *out = new kbx_reader(path); });
}

void kbx_reader_free(kbx_reader_t *r)
{
	delete r;
}

kb_status_t kbx_reader_reopen(kbx_reader_t *r, int *changed, char **err)
{
	*changed = 0;
	return guarded(err, [&] {
		*changed = r->db.reopen();
		if (*changed)
			r->termfreqs.clear();
	});
}

kb_status_t kbx_reader_keep_values(kbx_reader_t *r, int key_slot, int text_slot, unsigned most,
                                   unsigned *behind, char **err)
{
	if (behind)
		*behind = 0;
	return guarded(err, [&] {
		r->keys.catch_up(r->db, static_cast<Xapian::valueno>(key_slot), kKeysInMemoryMax, most);
		r->texts.catch_up(r->db, static_cast<Xapian::valueno>(text_slot), kTextsInMemoryMax,
		                  most);
		if (behind) {
			Xapian::docid last = r->db.get_lastdocid();
			*behind = std::max(r->keys.behind(last), r->texts.behind(last));
		}
	});
}

kb_status_t kbx_reader_metadata(kbx_reader_t *r, const char *key, char **value, char **err)
{
	*value = nullptr;
	return guarded(err, [&] { *value = copy_string(r->db.get_metadata(key)); });
}

static Xapian::Query any_of(const char *const *terms, size_t count)
{
	std::vector<Xapian::Query> any;
	for (size_t i = 0; i < count; i++)
		any.emplace_back(terms[i]);
	return Xapian::Query(Xapian::Query::OP_OR, any.begin(), any.end());
}

// Enough for every term of a big knowledge base's common queries; past it
// the cache starts again rather than grow without bound.
static const size_t termfreq_cache_max = 1 << 16;

static Xapian::doccount termfreq(kbx_reader_t *r, const std::string &term)
{
	auto it = r->termfreqs.find(term);
	if (it != r->termfreqs.end())
		return it->second;
	if (r->termfreqs.size() >= termfreq_cache_max)
		r->termfreqs.clear();
	Xapian::doccount tf = r->db.get_termfreq(term);
	r->termfreqs.emplace(term, tf);
	return tf;
}

// BM25's idf as Xapian's BM25Weight computes it (without relevance
// information): the weight of a term per unit of impact, up to the factor
// the whole query shares.
static double bm25_idf(double docs, double tf)
{
	double odds = (docs - tf + 0.5) / (tf + 0.5);
	if (odds < 2)
		odds = odds * 0.5 + 1;
	return std::log(odds);
}

namespace {
struct candidate {
	std::string term;
	Xapian::doccount tf;
	double factor;
	bool backs_up;
	size_t within[2];  // as in kbx_weighted_term_t
	Xapian::Query query() const
	{
		Xapian::Query t(term);
		return factor == 1.0 ? t : Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, t, factor);
	}
};
} // namespace

// A term found in nearly all documents of a term that holds it (the pair
// 东西 and the character 东, the word W需要 and the pair 需要) is searched
// for both, carrying both weights: one posting list read instead of two
// nearly equal ones.  Documents with the containing term alone lose its
// part (and are not found by it), hence the share; short lists are cheap
// and kept apart, so that a small knowledge base finds all it did.  The
// inner terms are taken most frequent first, so that a pair takes its
// characters' weight before its word takes the pair's.
static void fold_terms(std::vector<candidate> &terms, double docs, double share,
                       double min_docs)
{
	std::vector<size_t> order(terms.size());
	for (size_t i = 0; i < order.size(); i++)
		order[i] = i;
	std::stable_sort(order.begin(), order.end(),
	                 [&](size_t a, size_t b) { return terms[a].tf > terms[b].tf; });
	for (size_t i : order) {
		candidate &part = terms[i];
		for (size_t holder : part.within) {
			if (part.tf == 0 || !holder || holder > terms.size() || holder == i + 1)
				continue;
			candidate &whole = terms[holder - 1];
			if (whole.tf < min_docs || part.tf < share * whole.tf)
				continue;
			part.factor += whole.factor * bm25_idf(docs, whole.tf) / bm25_idf(docs, part.tf);
			part.backs_up = part.backs_up && whole.backs_up;
			whole.tf = 0;  // left out below
		}
	}
}

static Xapian::Query build_query(kbx_reader_t *r, const kbx_search_t *q)
{
	const Xapian::Database &db = r->db;
	double docs = db.get_doccount();
	double common = q->common_fraction * docs;
	double rare = std::max(q->find_fraction * docs, static_cast<double>(q->find_min_docs));
	std::vector<candidate> terms;
	for (size_t i = 0; i < q->term_count; i++) {
		const kbx_weighted_term_t &w = q->terms[i];
		std::string term(w.term, w.len);
		Xapian::doccount tf = termfreq(r, term);
		if (w.backs_up && tf > common)
			tf = 0;
		terms.push_back({term, tf, w.factor, w.backs_up != 0, {w.within[0], w.within[1]}});
	}
	if (q->fold_share > 0)
		fold_terms(terms, docs, q->fold_share, std::max(1.0, q->fold_min_docs));
	terms.erase(std::remove_if(terms.begin(), terms.end(),
	                           [](const candidate &c) { return c.tf == 0; }),
	            terms.end());
	// Rarest first: the rarest term always finds, the next ones while
	// rare and within the budget.
	std::stable_sort(terms.begin(), terms.end(),
	                 [](const candidate &a, const candidate &b) { return a.tf < b.tf; });
	std::vector<Xapian::Query> finding, scoring;
	std::vector<const candidate *> scorers;
	double postings = 0;
	for (const candidate &c : terms) {
		bool finds = !c.backs_up &&
		             (finding.empty() || (c.tf <= rare && postings + c.tf <= q->find_budget));
		if (finds) {
			postings += c.tf;
			finding.push_back(c.query());
		} else {
			scorers.push_back(&c);
		}
	}
	if (q->max_scoring && scorers.size() > q->max_scoring) {
		std::stable_sort(scorers.begin(), scorers.end(),
		                 [docs](const candidate *a, const candidate *b) {
			                 return a->factor * bm25_idf(docs, a->tf) >
			                        b->factor * bm25_idf(docs, b->tf);
		                 });
		scorers.resize(q->max_scoring);
	}
	for (const candidate *c : scorers)
		scoring.push_back(c->query());
	if (finding.empty())
		finding.swap(scoring);
	Xapian::Query query(Xapian::Query::OP_OR, finding.begin(), finding.end());
	if (!scoring.empty())
		query = Xapian::Query(Xapian::Query::OP_AND_MAYBE, query,
		                      Xapian::Query(Xapian::Query::OP_OR, scoring.begin(), scoring.end()));

	std::vector<Xapian::Query> excluded;
	for (size_t i = 0; i < q->exclusion_count; i++) {
		const kbx_exclusion_t &x = q->exclusions[i];
		// Most indexes carry no drafts, no retired entries and so on:
		// Xapian would look each marker up twice per search all the same.
		if (termfreq(r, x.marker) == 0)
			continue;
		Xapian::Query marked(x.marker);
		if (x.unless_count)
			marked = Xapian::Query(Xapian::Query::OP_AND_NOT, marked,
			                       any_of(x.unless, x.unless_count));
		excluded.push_back(marked);
	}
	if (q->date_marker && q->date && termfreq(r, q->date_marker) > 0) {
		Xapian::Query valid(Xapian::Query::OP_AND,
		                    Xapian::Query(Xapian::Query::OP_VALUE_LE, KB_SLOT_VALID_FROM, q->date),
		                    Xapian::Query(Xapian::Query::OP_VALUE_GE, KB_SLOT_VALID_UNTIL, q->date));
		excluded.emplace_back(Xapian::Query::OP_AND_NOT, Xapian::Query(q->date_marker), valid);
	}
	if (!excluded.empty())
		query = Xapian::Query(Xapian::Query::OP_AND_NOT, query,
		                      Xapian::Query(Xapian::Query::OP_OR, excluded.begin(), excluded.end()));
	return query;
}

// The global docid of local docid `local` in the shard of global docid
// `seen`: Xapian interleaves the shards of a stub database (global =
// (local - 1) * n + shard + 1).
static Xapian::docid shard_docid(const Xapian::Database &db, Xapian::docid seen,
                                 Xapian::docid local)
{
	Xapian::docid n = static_cast<Xapian::docid>(db.size());
	if (n <= 1)
		return local;
	return (local - 1) * n + (seen - 1) % n + 1;
}

namespace {
struct found {
	Xapian::docid docid;
	double weight;
	std::string key;
};
} // namespace

static long microseconds_since(std::chrono::steady_clock::time_point t0)
{
	return static_cast<long>(std::chrono::duration_cast<std::chrono::microseconds>(
	                             std::chrono::steady_clock::now() - t0)
	                             .count());
}

// The values in one slot of several documents: of a local database, those
// the table (if any) holds from it, the others read in docid order through
// one value stream (half the cost of looking each document up,
// docs/performance.md); of a stub, which may have remote shards, each
// document's own.  A document without one gets "".
static void read_values(const Xapian::Database &db, bool local, Xapian::valueno slot,
                        const value_table *table,
                        std::vector<std::pair<Xapian::docid, std::string *>> &wanted)
{
	if (!local) {
		for (auto &w : wanted)
			*w.second = db.get_document(w.first, Xapian::DOC_ASSUME_VALID).get_value(slot);
		return;
	}
	if (table)
		wanted.erase(std::remove_if(wanted.begin(), wanted.end(),
		                            [&](const std::pair<Xapian::docid, std::string *> &w) {
			                            return table->find(w.first, *w.second);
		                            }),
		             wanted.end());
	if (wanted.empty())
		return;
	std::sort(wanted.begin(), wanted.end(),
	          [](const std::pair<Xapian::docid, std::string *> &a,
	             const std::pair<Xapian::docid, std::string *> &b) { return a.first < b.first; });
	Xapian::ValueIterator v = db.valuestream_begin(slot);
	const Xapian::ValueIterator end = db.valuestream_end(slot);
	for (auto &w : wanted) {
		if (v != end)
			v.skip_to(w.first);
		if (v == end)
			break;
		if (v.get_docid() == w.first)
			*w.second = *v;
	}
}

// Xapian's collapse reads the key of every candidate that could still make
// the list, a value-stream lookup each, inside the match: 14% of an
// atec-faq request under perf.  Instead the match runs uncollapsed for a
// quarter more documents than entries are wanted (on atec-faq 99% of the
// lists need no more), and only the keys the list needs are read, in
// rank order, a batch at a time (as many as entries are still missing,
// in docid order through one value stream): the first document of each
// key is the one Xapian's collapse would have kept, so the list is the
// same.  Too few keys among them (an entry whose many questions all match)
// and the match runs again for four times as many.
static void find_collapsed_after(kbx_reader_t *r, const kbx_search_t *q, kbx_matches_t *out,
                                 std::vector<found> &kept)
{
	Xapian::valueno slot = static_cast<Xapian::valueno>(q->collapse_slot);
	if (q->values_in_memory)
		r->keys.catch_up(r->db, slot, kKeysInMemoryMax, kValuesPerSearch);
	r->enquire.set_collapse_key(Xapian::BAD_VALUENO);
	for (Xapian::doccount asked = q->limit + q->limit / 4;; asked *= 4) {
		auto t0 = std::chrono::steady_clock::now();
		Xapian::MSet mset = r->enquire.get_mset(0, asked);
		out->match_us += microseconds_since(t0);
		std::vector<found> ranked;
		for (Xapian::MSetIterator it = mset.begin(); it != mset.end(); ++it)
			ranked.push_back({*it, it.get_weight(), std::string()});
		// A list seen whole counts its entries, every key read.
		bool all_seen = mset.size() < asked;
		std::vector<const std::string *> seen;
		size_t distinct = 0, looked = 0, read = 0;
		kept.clear();
		for (; looked < ranked.size() && (all_seen || kept.size() < q->limit); looked++) {
			if (looked == read) {
				size_t missing = q->limit > kept.size() ? q->limit - kept.size() : 0;
				read = missing ? std::min(ranked.size(), looked + missing) : ranked.size();
				std::vector<std::pair<Xapian::docid, std::string *>> keys;
				for (size_t i = looked; i < read; i++)
					keys.emplace_back(ranked[i].docid, &ranked[i].key);
				read_values(r->db, true, slot, &r->keys, keys);
			}
			const found &f = ranked[looked];
			// As Xapian does, a document without a key is never collapsed.
			bool again = !f.key.empty() &&
			             std::any_of(seen.begin(), seen.end(),
			                         [&](const std::string *k) { return *k == f.key; });
			if (again)
				continue;
			distinct++;
			if (!f.key.empty())
				seen.push_back(&f.key);
			if (kept.size() < q->limit)
				kept.push_back(f);
		}
		if (kept.size() == q->limit || all_seen) {
			// Otherwise Xapian's estimate of documents, in the proportion
			// of entries to documents among those looked at.
			double estimate = mset.get_matches_estimated() * static_cast<double>(distinct) /
			                  static_cast<double>(std::max<size_t>(looked, 1));
			out->total = all_seen ? distinct
			                      : std::max<size_t>(distinct, static_cast<size_t>(estimate + 0.5));
			return;
		}
	}
}

static void run_search(kbx_reader_t *r, const Xapian::Query &query, const kbx_search_t *q,
                       kbx_matches_t *out)
{
	r->enquire.set_query(query);
	std::vector<found> kept;
	if (q->collapse_slot >= 0 && q->local) {
		find_collapsed_after(r, q, out, kept);
	} else {
		r->enquire.set_collapse_key(q->collapse_slot >= 0
		                                ? static_cast<Xapian::valueno>(q->collapse_slot)
		                                : Xapian::BAD_VALUENO);
		auto t0 = std::chrono::steady_clock::now();
		Xapian::MSet mset = r->enquire.get_mset(0, q->limit);
		out->match_us += microseconds_since(t0);
		out->total = mset.get_matches_estimated();
		for (Xapian::MSetIterator it = mset.begin(); it != mset.end(); ++it)
			kept.push_back({*it, it.get_weight(), it.get_collapse_key()});
	}
	out->items = static_cast<kbx_match_t *>(std::calloc(kept.size() ? kept.size() : 1,
	                                                    sizeof(kbx_match_t)));
	if (!out->items)
		throw std::bad_alloc();
	Xapian::docid shards = static_cast<Xapian::docid>(r->db.size());
	for (const found &f : kept) {
		kbx_match_t &m = out->items[out->count++];
		m.docid = f.docid;
		m.local_docid = shards > 1 ? (m.docid - 1) / shards + 1 : m.docid;
		m.score = f.weight;
		m.key = copy_string(f.key);
	}
	size_t texts = q->text_doc ? std::min<size_t>(q->text_count, out->count) : 0;
	if (texts && q->local && q->values_in_memory)
		r->texts.catch_up(r->db, static_cast<Xapian::valueno>(q->text_slot), kTextsInMemoryMax,
		                  kValuesPerSearch);
	std::vector<std::string> text(texts);
	std::vector<bool> has_text(texts);
	std::vector<std::pair<Xapian::docid, std::string *>> holders;
	Xapian::valueno text_slot = static_cast<Xapian::valueno>(q->text_slot);
	for (size_t i = 0; i < texts; i++) {
		kbx_match_t &m = out->items[i];
		Xapian::docid local = q->text_doc(q->choose_ctx, &m);
		if (!local)
			continue;
		Xapian::docid holder = shard_docid(r->db, m.docid, local);
		has_text[i] = true;
		holders.emplace_back(holder, &text[i]);
	}
	read_values(r->db, q->local, text_slot, &r->texts, holders);
	for (size_t i = 0; i < texts; i++) {
		if (!has_text[i])
			continue;
		out->items[i].text = copy_string(text[i]);
		out->items[i].text_len = text[i].size();
	}
	size_t wanted = q->choose ? q->choose(q->choose_ctx, out->items, out->count) : out->count;
	wanted = std::min(wanted, out->count);
	Xapian::valueno data_slot = static_cast<Xapian::valueno>(q->data_slot);
	std::vector<std::string> data(wanted);
	holders.clear();
	for (size_t i = 0; i < wanted; i++) {
		kbx_match_t &m = out->items[i];
		Xapian::docid holder = m.data_doc ? shard_docid(r->db, m.docid, m.data_doc) : m.docid;
		holders.emplace_back(holder, &data[i]);
	}
	read_values(r->db, q->local, data_slot, nullptr, holders);
	for (size_t i = 0; i < wanted; i++) {
		out->items[i].data = copy_string(data[i]);
		out->items[i].data_len = data[i].size();
	}
}

kb_status_t kbx_reader_search(kbx_reader_t *r, const kbx_search_t *q,
                              kbx_matches_t *out, char **err)
{
	*out = kbx_matches_t{};
	kb_status_t st = guarded(err, [&] {
		Xapian::Query query = build_query(r, q);
		try {
			run_search(r, query, q, out);
		} catch (const Xapian::DatabaseModifiedError &) {
			// A writer replaced what we were reading: the documented
			// remedy is to reopen at the newest revision and retry once.
			// The query is built again: which terms find, and which
			// markers exist, may have changed.
			kbx_matches_clear(out);
			r->db.reopen();
			r->termfreqs.clear();
			run_search(r, build_query(r, q), q, out);
		}
	});
	if (st != KB_OK)
		kbx_matches_clear(out);
	return st;
}

kb_status_t kbx_reader_describe(kbx_reader_t *r, const kbx_search_t *q, char **out,
                                char **err)
{
	*out = nullptr;
	return guarded(err, [&] { *out = copy_string(build_query(r, q).get_description()); });
}

void kbx_matches_clear(kbx_matches_t *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->count; i++) {
		std::free(m->items[i].key);
		std::free(m->items[i].data);
		std::free(m->items[i].text);
	}
	std::free(m->items);
	*m = kbx_matches_t{};
}

} // extern "C"
